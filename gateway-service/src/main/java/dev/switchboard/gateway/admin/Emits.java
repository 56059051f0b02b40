package dev.switchboard.gateway.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.switchboard.gateway.broker.RedisBroker;
import dev.switchboard.gateway.config.GatewayConfig;
import dev.switchboard.gateway.room.Rooms;
import dev.switchboard.gateway.websocket.FrameCodec;

/**
 * What an emit asks for, checked (SPEC §3, §7): the room each event goes to, its type and payload, or what is
 * wrong with the request, naming the field. Shared by the REST operations ({@link RealtimeResource}) and the batch
 * emit's fast route ({@link EmitRoute}), so both refuse and answer alike.
 */
@ApplicationScoped
public class Emits {
    private static final Pattern EVENT_TYPE = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    private final FrameCodec codec;
    private final GatewayConfig config;

    public Emits(FrameCodec codec, GatewayConfig config) {
        this.codec = codec;
        this.config = config;
    }

    /** One event to emit, checked: the event, or else what is wrong with it (naming the field). */
    public record Checked(RedisBroker.PendingEvent event, String problem) {
        static Checked refused(String problem) {
            return new Checked(null, problem);
        }
    }

    /** A batch emit's body, checked: its events in order, or what is wrong with the first bad one (nothing is sent). */
    public record Batch(List<RedisBroker.PendingEvent> events, String problem) {
    }

    /** {@code {"events": [{"kind", "target", "type", "payload"}, ...]}}; {@code body} null for an empty body. */
    public Batch batch(JsonNode body) {
        JsonNode list = body == null ? null : body.get("events");
        int max = config.limits().emitBatchMaxEvents();
        if (list == null || !list.isArray() || list.isEmpty()) {
            return new Batch(null, "body.events is required: a non-empty array of "
                    + "{\"kind\": \"user|room|role\", \"target\": ..., \"type\": ..., \"payload\": {...}}");
        }
        if (list.size() > max) {
            return new Batch(null, "body.events has " + list.size() + " events; at most " + max + " may go in one request");
        }
        List<RedisBroker.PendingEvent> events = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            JsonNode e = list.get(i);
            if (!e.isObject()) {
                return new Batch(null, "body.events[" + i + "] must be an object; nothing was sent");
            }
            Checked checked = check(e.path("kind").asText(null), e.path("target").asText(null), e, "body.events[" + i + "].");
            if (checked.problem() != null) {
                return new Batch(null, checked.problem() + "; nothing was sent");
            }
            events.add(checked.event());
        }
        return new Batch(events, null);
    }

    /** Checks one event to emit; {@code where} prefixes the fields a problem names ({@code body.} for the single emit). */
    public Checked check(String kind, String target, JsonNode event, String where) {
        String room = kind == null || target == null ? null : switch (kind) {
            case "user" -> Rooms.user(target);
            case "role" -> Rooms.role(target);
            case "room" -> target;
            default -> null;
        };
        if (room == null || target.isBlank() || !Rooms.valid(room)) {
            return Checked.refused((where.equals("body.") ? "" : where) + "kind must be user, room or role, and a room "
                    + "must be ticket:{id}, user:{id} or role:{role}");
        }
        String type = event == null ? null : event.path("type").asText(null);
        if (type == null || !EVENT_TYPE.matcher(type).matches()) {
            return Checked.refused(
                    where + "type is required: lower_snake_case, e.g. {\"type\": \"announcement\", \"payload\": {...}}");
        }
        JsonNode payload = event.get("payload");
        if (payload != null && !payload.isNull() && !payload.isObject()) {
            return Checked.refused(where + "payload must be a JSON object");
        }
        String json = payload == null || payload.isNull() ? "{}" : codec.write(payload);
        return new Checked(new RedisBroker.PendingEvent(room, type, UUID.randomUUID().toString(), json), null);
    }

    /** The 202 answer to one emitted event. */
    public ObjectNode accepted(RedisBroker.PendingEvent event, long seq) {
        return codec.object().put("room", event.room()).put("type", event.type()).put("seq", seq)
                .put("event_id", event.eventId());
    }

    /** The 202 answer to a batch: each event's room, type, seq and id, in the batch's order. */
    public ObjectNode accepted(List<RedisBroker.PendingEvent> events, List<Long> seqs) {
        ObjectNode accepted = codec.object();
        ArrayNode out = accepted.putArray("events");
        for (int i = 0; i < events.size(); i++) {
            out.add(accepted(events.get(i), seqs.get(i)));
        }
        return accepted;
    }
}
