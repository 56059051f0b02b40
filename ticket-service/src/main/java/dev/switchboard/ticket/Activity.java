package dev.switchboard.ticket;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One entry of a ticket's activity log: who did what, when, and the values before and after (JSON). */
@Entity
@Table(name = "ticket_activity")
public class Activity {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "ticket_id", nullable = false)
    public UUID ticketId;

    @Column(name = "actor_id", nullable = false)
    public String actorId;

    @Column(name = "actor_name", nullable = false)
    public String actorName;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public ActivityAction action;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Visibility visibility;

    /** JSON object of the changed fields' old values, or null. */
    public String before;

    /** JSON object of the changed fields' new values, or null. */
    public String after;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;
}
