package dev.switchboard.ticket.event;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.switchboard.ticket.ParticipantRole;
import dev.switchboard.ticket.Priority;
import dev.switchboard.ticket.Ticket;
import dev.switchboard.ticket.TicketStatus;
import dev.switchboard.ticket.mapping.TicketViews.CommentView;

/**
 * The data of the ticket events on {@code switchboard.ticket-events} (SPEC §4), one record per
 * event type. Every event carries the ticket id, a snapshot of the ticket after the change (with
 * its participants, so consumers can keep their own projection) and the actor. The JSON Schemas
 * under {@code src/main/resources/schemas/events/} are the contract; a test checks these records
 * against them.
 */
public sealed interface TicketEvent {
    String TOPIC = "switchboard.ticket-events";
    String SOURCE = "/ticket-service";
    String AGGREGATE = "ticket";

    UUID ticketId();

    /** The versioned CloudEvent type, e.g. {@code switchboard.ticket.created.v1}. */
    String type();

    record ActorRef(String id, String name) {
    }

    record TicketSnapshot(UUID id, String number, String title, TicketStatus status, Priority priority,
            String requesterId, String assigneeId, List<String> watcherIds, long version, OffsetDateTime createdAt,
            OffsetDateTime updatedAt) {
        public static TicketSnapshot of(Ticket t, List<String> watcherIds) {
            return new TicketSnapshot(t.id, t.humanNumber(), t.title, t.status, t.priority, t.requesterId,
                    t.assigneeId, watcherIds, t.version, t.createdAt, t.updatedAt);
        }
    }

    record Created(UUID ticketId, TicketSnapshot ticket, String description, ActorRef actor) implements TicketEvent {
        public String type() {
            return "switchboard.ticket.created.v1";
        }
    }

    record Change(Object before, Object after) {
    }

    record Updated(UUID ticketId, TicketSnapshot ticket, Map<String, Change> changes, ActorRef actor)
            implements TicketEvent {
        public String type() {
            return "switchboard.ticket.updated.v1";
        }
    }

    record StatusChanged(UUID ticketId, TicketSnapshot ticket, TicketStatus oldStatus, TicketStatus status,
            ActorRef actor) implements TicketEvent {
        public String type() {
            return "switchboard.ticket.status_changed.v1";
        }
    }

    record Assigned(UUID ticketId, TicketSnapshot ticket, String oldAssigneeId, String assigneeId, ActorRef actor)
            implements TicketEvent {
        public String type() {
            return "switchboard.ticket.assigned.v1";
        }
    }

    record CommentAdded(UUID ticketId, TicketSnapshot ticket, CommentView comment, ActorRef actor)
            implements TicketEvent {
        public String type() {
            return "switchboard.ticket.comment_added.v1";
        }
    }

    record ParticipantAdded(UUID ticketId, TicketSnapshot ticket, String userId, ParticipantRole role, ActorRef actor)
            implements TicketEvent {
        public String type() {
            return "switchboard.ticket.participant_added.v1";
        }
    }

    record ParticipantRemoved(UUID ticketId, TicketSnapshot ticket, String userId, ParticipantRole role,
            ActorRef actor) implements TicketEvent {
        public String type() {
            return "switchboard.ticket.participant_removed.v1";
        }
    }
}
