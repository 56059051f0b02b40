package dev.switchboard.gateway.admin;

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
import dev.switchboard.gateway.websocket.FrameCodec;
import io.smallrye.mutiny.Uni;

/** The ops API of SPEC §3 (role admin): figures for the whole cluster, one user's presence, and emit. */
@Path("/api/v1/realtime")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("admin")
@SecurityRequirement(name = "jwt")
public class RealtimeResource {
    private final InstanceStats stats;
    private final RedisPresence presence;
    private final RedisBroker broker;
    private final GatewayNode node;
    private final FrameCodec codec;

    private final GatewayConfig config;
    private final Emits emits;

    public RealtimeResource(InstanceStats stats, RedisPresence presence, RedisBroker broker, GatewayNode node,
            FrameCodec codec, GatewayConfig config, Emits emits) {
        this.config = config;
        this.emits = emits;
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
        Emits.Checked checked = emits.check(kind, target, body, "body.");
        if (checked.problem() != null) {
            return Uni.createFrom().item(codec.problem(400, checked.problem()));
        }
        RedisBroker.PendingEvent event = checked.event();
        return broker.publishRoomEvent(event.room(), event.type(), event.eventId(), event.payloadJson(), null)
                .map(seq -> Response.accepted(emits.accepted(event, seq)).build());
    }

    /** Usually answered by {@link EmitRoute} in front of the REST layer, with the same checks and answers. */
    @POST
    @Path("/emit")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Send several events at once: {\"events\": [{\"kind\", \"target\", \"type\", \"payload\"}, ...]}, "
            + "each as the single emit would, in the list's order; all are checked first, and one bad event refuses them all")
    public Uni<Response> emitBatch(JsonNode body) {
        Emits.Batch batch = emits.batch(body);
        if (batch.problem() != null) {
            return Uni.createFrom().item(codec.problem(400, batch.problem()));
        }
        return broker.publishRoomEvents(batch.events())
                .map(seqs -> Response.accepted(emits.accepted(batch.events(), seqs)).build());
    }
}
