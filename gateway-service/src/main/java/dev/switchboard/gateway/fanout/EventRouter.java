package dev.switchboard.gateway.fanout;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.switchboard.gateway.room.Rooms;
import dev.switchboard.gateway.websocket.FrameCodec;

/**
 * Which protocol events a Kafka event becomes, and for which rooms (the mapping table in README).
 * The rule for INTERNAL comments: they go only to {@code role:agent} and {@code role:admin}, rooms a
 * customer's socket is never in.
 */
@ApplicationScoped
public class EventRouter {
    private final FrameCodec codec;

    public EventRouter(FrameCodec codec) {
        this.codec = codec;
    }

    /** Room events to publish, and control messages (access changes) to send to every instance first. */
    public record Routing(List<RoomEvent> events, List<String> controls) {
        static Routing none() {
            return new Routing(List.of(), List.of());
        }
    }

    /** @throws IllegalArgumentException for data the gateway cannot read (the record goes to the dead-letter topic) */
    public Routing route(String ceId, String ceType, String data) {
        JsonNode event = codec.read(data);
        if (!event.isObject()) {
            throw new IllegalArgumentException("the event data is not a JSON object");
        }
        return switch (ceType) {
            case "switchboard.ticket.created.v1" -> ticketEvent(ceId, event, "ticket_created", false);
            case "switchboard.ticket.updated.v1" -> ticketEvent(ceId, event, "ticket_updated", true);
            case "switchboard.ticket.status_changed.v1" -> ticketEvent(ceId, event, "ticket_status_update", true);
            case "switchboard.ticket.assigned.v1" -> assigned(ceId, event);
            case "switchboard.ticket.comment_added.v1" -> commentAdded(ceId, event);
            case "switchboard.ticket.participant_added.v1" -> participant(ceId, event, "grant");
            case "switchboard.ticket.participant_removed.v1" -> participant(ceId, event, "revoke");
            case "switchboard.chat.message_created.v1" -> chat(ceId, event, "new_message");
            case "switchboard.chat.message_updated.v1" -> chat(ceId, event, "message_updated");
            case "switchboard.chat.message_deleted.v1" -> chat(ceId, event, "message_deleted");
            case "switchboard.chat.message_seen.v1" -> seen(ceId, event);
            case "switchboard.notification.created.v1" -> notificationCreated(ceId, event);
            case "switchboard.notification.read.v1" -> notificationRead(ceId, event);
            default -> Routing.none();
        };
    }

    /**
     * A ticket change goes to the ticket's room, to the staff's role rooms (their ticket lists) and
     * to each participant's own room (a customer's ticket list), all with the same event id.
     */
    private Routing ticketEvent(String ceId, JsonNode event, String type, boolean toTicketRoom) {
        String ticketId = required(event, "ticket_id");
        ObjectNode payload = codec.object().put("ticket_id", ticketId);
        copy(event, payload, "ticket", "actor", "changes", "description");
        if (type.equals("ticket_status_update")) {
            copy(event, payload, "status", "old_status");
        }
        String json = codec.write(payload);
        List<RoomEvent> events = new ArrayList<>();
        for (String room : ticketAudience(event, ticketId, toTicketRoom)) {
            events.add(new RoomEvent(room, type, ceId, json));
        }
        return new Routing(events, List.of());
    }

    private Routing assigned(String ceId, JsonNode event) {
        String ticketId = required(event, "ticket_id");
        ObjectNode payload = codec.object().put("ticket_id", ticketId);
        copy(event, payload, "assignee_id", "old_assignee_id", "ticket", "actor");
        String json = codec.write(payload);
        List<RoomEvent> events = new ArrayList<>();
        for (String room : ticketAudience(event, ticketId, true)) {
            events.add(new RoomEvent(room, "ticket_assigned", ceId, json));
        }
        String assignee = text(event, "assignee_id");
        if (assignee != null) {
            events.add(new RoomEvent(Rooms.user(assignee), "ticket_assigned_to_you", ceId + ".ticket_assigned_to_you",
                    json));
        }
        return new Routing(events, List.of());
    }

    private Routing commentAdded(String ceId, JsonNode event) {
        String ticketId = required(event, "ticket_id");
        JsonNode comment = event.path("comment");
        ObjectNode payload = codec.object().put("ticket_id", ticketId);
        copy(event, payload, "comment", "actor");
        String json = codec.write(payload);
        if ("INTERNAL".equalsIgnoreCase(comment.path("visibility").asText("PUBLIC"))) {
            return new Routing(List.of(new RoomEvent(Rooms.role("agent"), "comment_added", ceId, json),
                    new RoomEvent(Rooms.role("admin"), "comment_added", ceId, json)), List.of());
        }
        return new Routing(List.of(new RoomEvent(Rooms.ticket(ticketId), "comment_added", ceId, json)), List.of());
    }

    /**
     * A participant change: every instance drops its cached access decision (and on removal takes
     * the user out of the room, unless the user is still a participant in another role); the ticket
     * room and the user learn the new participant list.
     */
    private Routing participant(String ceId, JsonNode event, String op) {
        String ticketId = required(event, "ticket_id");
        String userId = required(event, "user_id");
        boolean stillParticipant = participants(event.path("ticket")).contains(userId);
        String controlOp = op.equals("revoke") && stillParticipant ? "grant" : op;
        String control = codec.write(codec.object().put("op", controlOp).put("ticket_id", ticketId).put("user_id", userId));
        ObjectNode payload = codec.object().put("ticket_id", ticketId);
        copy(event, payload, "ticket", "actor");
        String json = codec.write(payload);
        List<RoomEvent> events = new ArrayList<>();
        events.add(new RoomEvent(Rooms.ticket(ticketId), "ticket_updated", ceId, json));
        if (op.equals("grant") || stillParticipant) {
            events.add(new RoomEvent(Rooms.user(userId), "ticket_updated", ceId, json));
        }
        return new Routing(events, List.of(control));
    }

    private Routing chat(String ceId, JsonNode event, String type) {
        String ticketId = required(event, "ticket_id");
        ObjectNode payload = codec.object().put("ticket_id", ticketId);
        copy(event, payload, "message", "message_id");
        String messageId = event.path("message").path("id").asText(null);
        if (messageId == null || type.equals("message_deleted")) {
            return single(Rooms.ticket(ticketId), type, ceId, payload);
        }
        // The long index keeps the message as a reference: chat-service has its body.
        ObjectNode stub = payload.deepCopy();
        stub.putObject("message").put("id", messageId);
        return new Routing(List.of(new RoomEvent(Rooms.ticket(ticketId), type, ceId, codec.write(payload),
                codec.write(stub), messageId)), List.of());
    }

    private Routing seen(String ceId, JsonNode event) {
        String ticketId = required(event, "ticket_id");
        ObjectNode payload = codec.object().put("ticket_id", ticketId).put("status", "seen");
        copy(event, payload, "message_id", "user_id", "read_at");
        return single(Rooms.ticket(ticketId), "message_status_update", ceId, payload);
    }

    private Routing notificationCreated(String ceId, JsonNode event) {
        String userId = required(event, "user_id");
        String room = Rooms.user(userId);
        ObjectNode notification = codec.object();
        copy(event, notification, "notification");
        ObjectNode count = codec.object().put("unread", event.path("unread").asLong());
        return new Routing(List.of(new RoomEvent(room, "notification", ceId, codec.write(notification)),
                new RoomEvent(room, "notification_count", ceId + ".notification_count", codec.write(count))),
                List.of());
    }

    private Routing notificationRead(String ceId, JsonNode event) {
        String userId = required(event, "user_id");
        ObjectNode count = codec.object().put("unread", event.path("unread").asLong());
        copy(event, count, "notification_ids");
        return single(Rooms.user(userId), "notification_count", ceId, count);
    }

    private Routing single(String room, String type, String ceId, ObjectNode payload) {
        return new Routing(List.of(new RoomEvent(room, type, ceId, codec.write(payload))), List.of());
    }

    private static Set<String> ticketAudience(JsonNode event, String ticketId, boolean toTicketRoom) {
        Set<String> rooms = new LinkedHashSet<>();
        if (toTicketRoom) {
            rooms.add(Rooms.ticket(ticketId));
        }
        rooms.add(Rooms.role("agent"));
        rooms.add(Rooms.role("admin"));
        for (String participant : participants(event.path("ticket"))) {
            rooms.add(Rooms.user(participant));
        }
        return rooms;
    }

    private static Set<String> participants(JsonNode ticket) {
        Set<String> ids = new LinkedHashSet<>();
        if (ticket.hasNonNull("requester_id")) {
            ids.add(ticket.get("requester_id").asText());
        }
        if (ticket.hasNonNull("assignee_id")) {
            ids.add(ticket.get("assignee_id").asText());
        }
        ticket.path("watcher_ids").forEach(w -> ids.add(w.asText()));
        return ids;
    }

    private static void copy(JsonNode from, ObjectNode to, String... fields) {
        for (String field : fields) {
            if (from.has(field)) {
                to.set(field, from.get(field));
            }
        }
    }

    private static String text(JsonNode event, String field) {
        JsonNode node = event.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }

    private static String required(JsonNode event, String field) {
        String value = text(event, field);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the event has no " + field);
        }
        return value;
    }
}
