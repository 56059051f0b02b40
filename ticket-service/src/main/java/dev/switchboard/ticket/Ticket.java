package dev.switchboard.ticket;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

@Entity
@Table(name = "ticket")
public class Ticket {
    public static final String NUMBER_PREFIX = "SB-";

    @Id
    public UUID id;

    @Column(nullable = false, unique = true, updatable = false)
    public long number;

    @Column(nullable = false)
    public String title;

    @Column(nullable = false)
    public String description;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public TicketStatus status;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Priority priority;

    @Column(name = "requester_id", nullable = false)
    public String requesterId;

    @Column(name = "assignee_id")
    public String assigneeId;

    /** Optimistic lock: a PATCH names the version it read; a stale one is refused with 409. */
    @Version
    public long version;

    @Column(name = "created_at", nullable = false, updatable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;

    public String humanNumber() {
        return NUMBER_PREFIX + number;
    }
}
