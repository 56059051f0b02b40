package dev.switchboard.notification;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "notification")
public class Notification {
    @Id
    public UUID id;

    @Column(name = "user_id", nullable = false)
    public String userId;

    /** TICKET_ASSIGNED, TICKET_STATUS_CHANGED, COMMENT_ADDED, NEW_MESSAGE, MENTION, or a requester's own type. */
    @Column(nullable = false)
    public String type;

    @Column(name = "ticket_id")
    public UUID ticketId;

    @Column(nullable = false)
    public String title;

    /** A short preview; for a collapsed NEW_MESSAGE, of the latest message. */
    @Column(nullable = false)
    public String body;

    /** How many events this notification stands for (NEW_MESSAGE collapses). */
    @Column(nullable = false)
    public int count;

    @Column(name = "actor_id")
    public String actorId;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;

    @Column(name = "read_at")
    public OffsetDateTime readAt;
}
