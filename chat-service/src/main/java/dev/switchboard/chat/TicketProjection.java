package dev.switchboard.chat;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** chat-service's copy of a ticket, from the latest ticket event it has applied. */
@Entity
@Table(name = "ticket_projection")
public class TicketProjection {
    @Id
    @Column(name = "ticket_id")
    public UUID ticketId;

    @Column(nullable = false)
    public String number;

    @Column(nullable = false)
    public String title;

    @Column(nullable = false)
    public String status;

    @Column(name = "requester_id", nullable = false)
    public String requesterId;

    @Column(name = "assignee_id")
    public String assigneeId;

    /** The ticket's version in the event applied; an older event never overwrites a newer one. */
    @Column(nullable = false)
    public long version;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;
}
