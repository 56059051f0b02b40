package dev.switchboard.gateway.admin;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.switchboard.gateway.Drain;
import dev.switchboard.gateway.GatewayNode;
import dev.switchboard.gateway.broker.RedisBroker;
import dev.switchboard.gateway.config.GatewayConfig;
import dev.switchboard.gateway.fanout.EventFanout;
import dev.switchboard.gateway.room.LocalHub;
import dev.switchboard.gateway.room.RoomRecovery;
import dev.switchboard.gateway.websocket.FrameCodec;
import dev.switchboard.gateway.websocket.GatewayEndpoint;
import dev.switchboard.gateway.websocket.RateLimiter;
import dev.switchboard.gateway.websocket.Session;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

/**
 * This instance's figures, written to Redis every few seconds under a short expiry so that any
 * instance can answer {@code /api/v1/realtime/stats} for all of them, and a dead one drops out.
 */
@ApplicationScoped
public class InstanceStats {
    private static final String INSTANCES = "sb:instances";

    private final LocalHub hub;
    private final RedisBroker broker;
    private final EventFanout fanout;
    private final GatewayNode node;
    private final FrameCodec codec;
    private final GatewayConfig config;
    private final Vertx vertx;
    private final RateLimiter limiter;
    private final RoomRecovery recovery;
    private final Drain drain;
    private long timer = -1;

    /** Counters added up over the instances in {@code /api/v1/realtime/stats}. */
    public static final List<String> COUNTERS = List.of("messages_in", "messages_out", "dropped",
            "rate_limited_connection", "rate_limited_user", "rate_checks_leased", "closed_for_abuse", "connections_refused",
            "closed_idle", "closed_slow", "low_value_dropped", "queued_frames", "gaps_filled", "resyncs",
            "recovered_from_log", "recovered_from_history", "duplicates_dropped", "gaps_told", "events_consumed",
            "room_events_published", "room_messages_received");

    public InstanceStats(LocalHub hub, RedisBroker broker, EventFanout fanout, GatewayNode node, FrameCodec codec,
            GatewayConfig config, Vertx vertx, RateLimiter limiter, RoomRecovery recovery, Drain drain) {
        this.limiter = limiter;
        this.recovery = recovery;
        this.drain = drain;
        this.hub = hub;
        this.broker = broker;
        this.fanout = fanout;
        this.node = node;
        this.codec = codec;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(config.presence().renewEvery().toMillis(), t -> publish());
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(timer);
        broker.send(Request.cmd(Command.HDEL).arg(INSTANCES).arg(node.instanceId())).subscribe().with(r -> {
        }, e -> {
        });
    }

    public ObjectNode local() {
        long full = hub.sessions().stream().filter(Session::writeQueueFull).count();
        ObjectNode stats = codec.object()
                .put("instance", node.instanceId())
                .put("connections", hub.connectionCount())
                .put("users", hub.userCount())
                .put("rooms", hub.roomNames().size())
                .put("messages_in", GatewayEndpoint.framesIn())
                .put("messages_out", hub.delivered())
                .put("dropped", Session.dropped())
                .put("events_consumed", fanout.consumed())
                .put("room_events_published", broker.published())
                .put("room_messages_received", broker.received())
                .put("sockets_with_full_queue", full)
                .put("queued_frames", hub.sessions().stream().mapToLong(Session::queued).sum())
                .put("rate_limited_connection", limiter.limitedConnection())
                .put("rate_limited_user", limiter.limitedUser())
                .put("rate_checks_leased", limiter.leasedChecks())
                .put("closed_for_abuse", limiter.abuseClosed())
                .put("connections_refused", node.refusedConnections())
                .put("closed_idle", node.idleClosed())
                .put("closed_slow", Session.slowClosed())
                .put("low_value_dropped", Session.droppedLowValue())
                .put("gaps_filled", broker.gapsFilled())
                .put("resyncs", broker.resyncs() + recovery.resyncs())
                .put("recovered_from_log", recovery.recoveredFromLog())
                .put("recovered_from_history", recovery.recoveredFromHistory())
                .put("duplicates_dropped", broker.duplicatesDropped())
                .put("gaps_told", Session.gapsTold())
                .put("draining", drain.draining())
                .put("updated_at", System.currentTimeMillis());
        return stats;
    }

    private void publish() {
        long expiresAt = System.currentTimeMillis() + config.presence().lease().toMillis();
        broker.send(Request.cmd(Command.HSET).arg(INSTANCES).arg(node.instanceId())
                .arg(codec.write(local().put("expires_at", expiresAt))))
                .subscribe().with(r -> {
                }, e -> Log.debugf("stats not published: %s", e.getMessage()));
    }

    /** Every live instance's latest figures; entries of instances that stopped reporting are removed. */
    public Uni<List<JsonNode>> all() {
        return broker.send(Request.cmd(Command.HGETALL).arg(INSTANCES)).map(response -> {
            List<JsonNode> live = new ArrayList<>();
            long now = System.currentTimeMillis();
            for (String key : response.getKeys()) {
                JsonNode stats = codec.read(response.get(key).toString());
                if (stats.path("expires_at").asLong() >= now) {
                    live.add(stats);
                } else {
                    broker.send(Request.cmd(Command.HDEL).arg(INSTANCES).arg(key)).subscribe().with(r -> {
                    }, e -> {
                    });
                }
            }
            return live;
        });
    }

}
