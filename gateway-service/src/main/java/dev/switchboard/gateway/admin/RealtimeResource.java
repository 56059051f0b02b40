package dev.switchboard.gateway.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.switchboard.gateway.GatewayNode;
import dev.switchboard.gateway.config.GatewayConfig;
import dev.switchboard.gateway.broker.RedisBroker;
import dev.switchboard.gateway.presence.RedisPresence;
import dev.switchboard.gateway.room.Rooms;
import dev.switchboard.gateway.websocket.FrameCodec;
import io.smallrye.mutiny.Uni;

/** The ops API of SPEC §3 (role admin): figures for the whole cluster, one user's presence, and emit. */
@Path("/api/v1/realtime")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("admin")
@SecurityRequirement(name = "jwt")
public class RealtimeResource {
    private static final Pattern EVENT_TYPE = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    private final InstanceStats stats;
    private final RedisPresence presence;
    private final RedisBroker broker;
    private final GatewayNode node;
    private final FrameCodec codec;

    private final GatewayConfig config;

    public RealtimeResource(InstanceStats stats, RedisPresence presence, RedisBroker broker, GatewayNode node,
            FrameCodec codec, GatewayConfig config) {
        this.config = config;
        this.stats = stats;
        this.presence = presence;
        this.broker = broker;
        this.node = node;
        this.codec = codec;
    }

    @GET
    @Path("/stats")
    @Operation(summary = "Connections, rooms, users online, and each instance's figures")
    public Uni<JsonNode> stats() {
        return Uni.combine().all().unis(presence.totals(), stats.all()).with((totals, instances) -> {
            ObjectNode body = codec.object()
                    .put("users_online", totals[0])
                    .put("rooms", totals[1])
                    .put("connections", totals[2])
                    .put("instance", node.instanceId());
            ArrayNode list = body.putArray("instances");
            long[] sums = new long[InstanceStats.COUNTERS.size()];
            for (JsonNode i : instances) {
                list.add(i);
                for (int c = 0; c < sums.length; c++) {
                    sums[c] += i.path(InstanceStats.COUNTERS.get(c)).asLong();
                }
            }
            for (int c = 0; c < sums.length; c++) {
                body.put(InstanceStats.COUNTERS.get(c), sums[c]);
            }
            body.set("limits", limits());
            body.set("this_instance", stats.local());
            return body;
        });
    }

    /** The limits in force (SPEC §7), as configured. */
    private ObjectNode limits() {
        GatewayConfig.Limits l = config.limits();
        ObjectNode limits = codec.object()
                .put("messages_per_second", l.messagesPerSecond())
                .put("messages_burst", l.messagesBurst())
                .put("user_messages_per_second", l.userMessagesPerSecond())
                .put("user_messages_burst", l.userMessagesBurst())
                .put("abuse_close_after", l.abuseCloseAfter())
                .put("max_connections_per_user", l.maxConnectionsPerUser())
                .put("max_message_bytes", l.maxMessageBytes())
                .put("outbound_queue_frames", l.outboundQueue())
                .put("slow_consumer_timeout_ms", l.slowConsumerTimeout().toMillis())
                .put("idle_timeout_ms", l.idleTimeout().toMillis())
                .put("emit_batch_max_events", l.emitBatchMaxEvents())
                .put("room_log_max_events", config.roomLog().maxEvents())
                .put("room_log_max_age_s", config.roomLog().maxAge().toSeconds())
                .put("room_index_max_events", config.roomLog().indexMaxEvents());
        return limits;
    }

    @GET
    @Path("/users/{id}")
    @Operation(summary = "Whether a user is online, with their connections and rooms")
    public Uni<JsonNode> user(@PathParam("id") String userId) {
        return presence.user(userId).map(user -> {
            ObjectNode body = codec.object().put("user_id", userId).put("online", user.online())
                    .put("status", user.status());
            if (user.name() != null) {
                body.put("user_name", user.name());
            }
            ArrayNode connections = body.putArray("connections");
            java.util.Set<String> rooms = new java.util.TreeSet<>();
            for (RedisPresence.Connection c : user.connections()) {
                ObjectNode conn = connections.addObject().put("session_id", c.id()).put("instance", c.instance())
                        .put("status", c.status()).put("connected_at", c.since());
                ArrayNode r = conn.putArray("rooms");
                c.rooms().forEach(r::add);
                rooms.addAll(c.rooms());
            }
            ArrayNode all = body.putArray("rooms");
            rooms.forEach(all::add);
            return body;
        });
    }

    @POST
    @Path("/emit/{kind}/{target}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Send an event to a user, a room (e.g. ticket:{id}) or a role; it is a room event with a seq")
    public Uni<Response> emit(@PathParam("kind") String kind, @PathParam("target") String target, JsonNode body) {
        Checked checked = check(kind, target, body, "body.");
        if (checked.problem() != null) {
            return Uni.createFrom().item(codec.problem(400, checked.problem()));
        }
        RedisBroker.PendingEvent event = checked.event();
        return broker.publishRoomEvent(event.room(), event.type(), event.eventId(), event.payloadJson(), null)
                .map(seq -> Response.accepted(accepted(event, seq)).build());
    }

    @POST
    @Path("/emit")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Send several events at once: {\"events\": [{\"kind\", \"target\", \"type\", \"payload\"}, ...]}, "
            + "each as the single emit would, in the list's order; all are checked first, and one bad event refuses them all")
    public Uni<Response> emitBatch(JsonNode body) {
        JsonNode list = body == null ? null : body.get("events");
        int max = config.limits().emitBatchMaxEvents();
        if (list == null || !list.isArray() || list.isEmpty()) {
            return Uni.createFrom().item(codec.problem(400, "body.events is required: a non-empty array of "
                    + "{\"kind\": \"user|room|role\", \"target\": ..., \"type\": ..., \"payload\": {...}}"));
        }
        if (list.size() > max) {
            return Uni.createFrom().item(codec.problem(400,
                    "body.events has " + list.size() + " events; at most " + max + " may go in one request"));
        }
        List<RedisBroker.PendingEvent> events = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            JsonNode e = list.get(i);
            String where = "body.events[" + i + "].";
            if (!e.isObject()) {
                return Uni.createFrom().item(codec.problem(400, "body.events[" + i + "] must be an object; nothing was sent"));
            }
            Checked checked = check(e.path("kind").asText(null), e.path("target").asText(null), e, where);
            if (checked.problem() != null) {
                return Uni.createFrom().item(codec.problem(400, checked.problem() + "; nothing was sent"));
            }
            events.add(checked.event());
        }
        return broker.publishRoomEvents(events).map(seqs -> {
            ObjectNode accepted = codec.object();
            ArrayNode out = accepted.putArray("events");
            for (int i = 0; i < events.size(); i++) {
                out.add(accepted(events.get(i), seqs.get(i)));
            }
            return Response.accepted(accepted).build();
        });
    }

    /** One event to emit, checked: the event, or else what is wrong with it (naming the field). */
    private record Checked(RedisBroker.PendingEvent event, String problem) {
        static Checked refused(String problem) {
            return new Checked(null, problem);
        }
    }

    /** Checks one event to emit; {@code where} prefixes the fields a problem names ({@code body.} for the single emit). */
    private Checked check(String kind, String target, JsonNode event, String where) {
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

    private ObjectNode accepted(RedisBroker.PendingEvent event, long seq) {
        return codec.object().put("room", event.room()).put("type", event.type()).put("seq", seq)
                .put("event_id", event.eventId());
    }

}
