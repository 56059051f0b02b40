package dev.switchboard.chat.projection;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.switchboard.chat.TicketProjection;
import dev.switchboard.chat.event.ChatEvent.ActorRef;
import dev.switchboard.chat.repository.TicketProjectionRepository;
import dev.switchboard.chat.repository.TicketProjectionRepository.Member;
import dev.switchboard.chat.service.MessageService;
import dev.switchboard.messaging.cloudevents.CloudEvent;
import dev.switchboard.messaging.cloudevents.InvalidCloudEventException;
import dev.switchboard.messaging.inbox.ProcessedEvents;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/**
 * Applies ticket events to chat-service's projection. Every ticket event carries a snapshot of the
 * ticket with its participants, so the projection takes the snapshot whenever it is at least as new
 * as what it has; applying an event twice, or an older one, changes nothing. Status and assignment
 * changes also add a SYSTEM message to the chat.
 */
@ApplicationScoped
public class TicketProjector {
    static final String CONSUMER = "chat-service.ticket-projection";

    private final TicketProjectionRepository tickets;
    private final ProcessedEvents processed;
    private final MessageService messages;
    private final ObjectMapper json;

    TicketProjector(TicketProjectionRepository tickets, ProcessedEvents processed, MessageService messages,
            ObjectMapper json) {
        this.tickets = tickets;
        this.processed = processed;
        this.messages = messages;
        this.json = json;
    }

    /** @return true when the event was applied, false when it had been before */
    @WithTransaction
    public Uni<Boolean> apply(CloudEvent event) {
        JsonNode data = parse(event);
        return processed.processOnce(CONSUMER, event.id(), () -> project(event, data));
    }

    private Uni<Void> project(CloudEvent event, JsonNode data) {
        JsonNode snapshot = data.path("ticket");
        UUID ticketId = uuid(data.path("ticket_id"), "ticket_id");
        ActorRef actor = new ActorRef(data.path("actor").path("id").asText("system"),
                data.path("actor").path("name").asText("System"));
        return tickets.findById(ticketId).chain(current -> {
            long version = snapshot.path("version").asLong(-1);
            Uni<Void> applied = current != null && current.version > version ? Uni.createFrom().voidItem()
                    : upsert(current, ticketId, snapshot, version);
            return applied.chain(() -> systemMessage(event, data, ticketId, actor));
        });
    }

    private Uni<Void> upsert(TicketProjection current, UUID ticketId, JsonNode snapshot, long version) {
        TicketProjection t = current != null ? current : new TicketProjection();
        t.ticketId = ticketId;
        t.number = required(snapshot, "number");
        t.title = required(snapshot, "title");
        t.status = required(snapshot, "status");
        t.requesterId = required(snapshot, "requester_id");
        t.assigneeId = snapshot.path("assignee_id").isTextual() ? snapshot.path("assignee_id").asText() : null;
        t.version = version;
        t.updatedAt = OffsetDateTime.parse(required(snapshot, "updated_at"));
        List<Member> members = new ArrayList<>();
        members.add(new Member(t.requesterId, "REQUESTER"));
        if (t.assigneeId != null) {
            members.add(new Member(t.assigneeId, "ASSIGNEE"));
        }
        snapshot.path("watcher_ids").forEach(w -> members.add(new Member(w.asText(), "WATCHER")));
        Uni<?> saved = current != null ? Uni.createFrom().item(t) : tickets.persist(t);
        return saved.chain(() -> tickets.flush()).chain(() -> tickets.replaceMembers(ticketId, members));
    }

    private Uni<Void> systemMessage(CloudEvent event, JsonNode data, UUID ticketId, ActorRef actor) {
        String text = switch (event.type()) {
            case "switchboard.ticket.status_changed.v1" -> "Status changed to " + required(data, "status") + " by "
                    + actor.name();
            case "switchboard.ticket.assigned.v1" -> data.path("assignee_id").isTextual()
                    ? "Assigned to " + data.path("assignee_id").asText() + " by " + actor.name()
                    : "Unassigned by " + actor.name();
            default -> null;
        };
        if (text == null) {
            return Uni.createFrom().voidItem();
        }
        UUID id = UUID.nameUUIDFromBytes(("system:" + event.id()).getBytes(StandardCharsets.UTF_8));
        return messages.systemMessage(ticketId, id, text, actor);
    }

    private JsonNode parse(CloudEvent event) {
        try {
            JsonNode data = json.readTree(event.data());
            if (!data.path("ticket").isObject()) {
                throw new InvalidCloudEventException(event.type() + " " + event.id() + " has no ticket snapshot");
            }
            return data;
        } catch (java.io.IOException e) {
            throw new InvalidCloudEventException(event.type() + " " + event.id() + " is not JSON: " + e.getMessage());
        }
    }

    private static String required(JsonNode node, String field) {
        if (!node.path(field).isTextual() || node.path(field).asText().isBlank()) {
            throw new InvalidCloudEventException("ticket event without " + field);
        }
        return node.path(field).asText();
    }

    private static UUID uuid(JsonNode node, String field) {
        try {
            return UUID.fromString(node.asText());
        } catch (IllegalArgumentException e) {
            throw new InvalidCloudEventException("ticket event with an invalid " + field);
        }
    }
}
