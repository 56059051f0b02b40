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

@Entity
@Table(name = "ticket_participant")
public class Participant {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "ticket_id", nullable = false)
    public UUID ticketId;

    @Column(name = "user_id", nullable = false)
    public String userId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public ParticipantRole role;

    @Column(name = "added_at", nullable = false)
    public OffsetDateTime addedAt;

    public static Participant of(UUID ticketId, String userId, ParticipantRole role, OffsetDateTime at) {
        Participant p = new Participant();
        p.ticketId = ticketId;
        p.userId = userId;
        p.role = role;
        p.addedAt = at;
        return p;
    }
}
