package dev.switchboard.gateway.broker;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import dev.switchboard.gateway.config.GatewayConfig;
import dev.switchboard.gateway.room.LocalHub;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

/**
 * Moves room events between gateway instances through Redis (after centrifuge's Redis broker).
 * A room event is appended to the room's log with the next per-room seq and published on the
 * room's channel in one Lua script; every instance with local members in the room is subscribed
 * to that channel and writes the already-encoded frame to its sockets. Ephemeral signals (typing,
 * presence) take the same channel without a seq and are never stored.
 */
@ApplicationScoped
public class RedisBroker {
    static final String CHANNEL_PREFIX = "sb:room:";
    static final String CONTROL_CHANNEL = "sb:control";
    private static final JsonStringEncoder JSON = JsonStringEncoder.getInstance();

    private final Redis redis;
    private final Vertx vertx;
    private final LocalHub hub;
    private final GatewayConfig config;
    private final LuaScript publishScript = LuaScript.load("room-publish.lua");
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
    private final LongAdder published = new LongAdder();
    private final LongAdder received = new LongAdder();
    private volatile Consumer<String> controlHandler = message -> {
    };
    private volatile RedisConnection subscriber;
    private volatile boolean stopping;

    public RedisBroker(Redis redis, Vertx vertx, LocalHub hub, GatewayConfig config) {
        this.redis = redis;
        this.vertx = vertx;
        this.hub = hub;
        this.config = config;
    }

    void start(@jakarta.enterprise.event.Observes StartupEvent event) {
        connectSubscriber(Duration.ofMillis(100));
    }

    void stop(@jakarta.enterprise.event.Observes ShutdownEvent event) {
        stopping = true;
        RedisConnection c = subscriber;
        if (c != null) {
            c.close();
        }
    }

    public void onControl(Consumer<String> handler) {
        this.controlHandler = handler;
    }

    /**
     * Appends a room event to the room log and publishes it. The frame is
     * {@code {"type", "payload": {"room", "seq", "event_id", ...payload fields}}}.
     *
     * @param payloadJson the payload object's JSON
     * @return the event's seq, or 0 when the event id was seen before (a redelivery)
     */
    public Uni<Long> publishRoomEvent(String room, String type, String eventId, String payloadJson, String excludeUser) {
        String prefix = "{\"type\":\"" + quote(type) + "\",\"payload\":{\"room\":\"" + quote(room) + "\",\"seq\":";
        String body = payloadJson.trim();
        String rest = body.length() <= 2 ? "}" : "," + body.substring(1);
        String suffix = ",\"event_id\":\"" + quote(eventId) + "\"" + rest + "}";
        long maxAge = Math.max(1, config.roomLog().maxAge().toSeconds());
        return publishScript.run(redis,
                List.of(seqKey(room), logKey(room), "sb:{" + room + "}:dedup:" + eventId),
                List.of(CHANNEL_PREFIX + room, prefix, suffix, String.valueOf(config.roomLog().maxEvents()),
                        String.valueOf(maxAge), excludeUser == null ? "" : excludeUser))
                .map(Response::toLong)
                .invoke(seq -> published.increment());
    }

    /** Publishes a signal that is delivered to the room's members now and never stored. */
    public Uni<Void> publishEphemeral(String room, String excludeUser, String frame) {
        return send(Request.cmd(Command.PUBLISH).arg(CHANNEL_PREFIX + room)
                .arg("0|" + (excludeUser == null ? "" : excludeUser) + "|" + frame)).replaceWithVoid();
    }

    public Uni<Void> publishControl(String message) {
        return send(Request.cmd(Command.PUBLISH).arg(CONTROL_CHANNEL).arg(message)).replaceWithVoid();
    }

    /** The seq of the room's latest event, 0 when it has none. */
    public Uni<Long> currentSeq(String room) {
        return send(Request.cmd(Command.GET).arg(seqKey(room))).map(r -> r == null ? 0L : r.toLong());
    }

    /** Room events after a seq, from the room log; {@code complete} is false when the log no longer reaches back. */
    public record Replay(boolean complete, long currentSeq, List<String> frames) {
    }

    public Uni<Replay> replay(String room, long since) {
        return currentSeq(room).chain(current -> {
            if (since > current) {
                return Uni.createFrom().item(new Replay(false, current, List.of()));
            }
            if (since == current) {
                return Uni.createFrom().item(new Replay(true, current, List.of()));
            }
            Request range = Request.cmd(Command.XRANGE).arg(logKey(room)).arg((since + 1) + "-0").arg("+");
            return send(range).map(entries -> {
                List<String> frames = new java.util.ArrayList<>();
                long first = -1;
                long last = since;
                for (Response entry : entries) {
                    long seq = Long.parseLong(entry.get(0).toString().split("-")[0]);
                    if (first < 0) {
                        first = seq;
                    }
                    if (seq > current) {
                        break;
                    }
                    frames.add(entry.get(1).get(1).toString());
                    last = seq;
                }
                boolean complete = first == since + 1 && last == current;
                return new Replay(complete, current, complete ? frames : List.of());
            });
        });
    }

    /** Makes this instance receive the room's events; completes once Redis has confirmed. */
    public Uni<Void> subscribe(String room) {
        subscribed.add(room);
        RedisConnection c = subscriber;
        if (c == null) {
            return Uni.createFrom().failure(new IllegalStateException("not connected to Redis"));
        }
        return toUni(c.send(Request.cmd(Command.SUBSCRIBE).arg(CHANNEL_PREFIX + room))).replaceWithVoid();
    }

    public void unsubscribe(String room) {
        if (hub.hasMembers(room)) {
            return; // a member joined again in the meantime
        }
        subscribed.remove(room);
        RedisConnection c = subscriber;
        if (c != null) {
            c.send(Request.cmd(Command.UNSUBSCRIBE).arg(CHANNEL_PREFIX + room))
                    .onFailure(e -> Log.debugf("unsubscribe %s: %s", room, e.getMessage()));
        }
    }

    public Uni<Response> send(Request request) {
        return RedisCommands.send(redis, request);
    }

    public boolean connected() {
        return subscriber != null;
    }

    public long published() {
        return published.sum();
    }

    public long received() {
        return received.sum();
    }

    public static String seqKey(String room) {
        return "sb:{" + room + "}:seq";
    }

    public static String logKey(String room) {
        return "sb:{" + room + "}:log";
    }

    private void connectSubscriber(Duration retryIn) {
        if (stopping) {
            return;
        }
        redis.connect().onSuccess(connection -> {
            connection.handler(this::onPush);
            connection.exceptionHandler(e -> Log.warnf("Redis subscriber connection: %s", e.getMessage()));
            connection.endHandler(v -> {
                subscriber = null;
                if (!stopping) {
                    Log.warn("Redis subscriber connection closed; reconnecting");
                    vertx.setTimer(200, t -> connectSubscriber(Duration.ofMillis(200)));
                }
            });
            Request subscribe = Request.cmd(Command.SUBSCRIBE).arg(CONTROL_CHANNEL);
            subscribed.forEach(room -> subscribe.arg(CHANNEL_PREFIX + room));
            connection.send(subscribe).onSuccess(r -> {
                subscriber = connection;
                Log.infof("subscribed to Redis pub/sub (%d rooms)", subscribed.size());
            }).onFailure(e -> {
                connection.close();
                retry(retryIn, e);
            });
        }).onFailure(e -> retry(retryIn, e));
    }

    private void retry(Duration retryIn, Throwable cause) {
        Log.warnf("Redis pub/sub not available (%s); retrying in %d ms", cause.getMessage(), retryIn.toMillis());
        Duration next = retryIn.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5)
                : retryIn.multipliedBy(2);
        vertx.setTimer(retryIn.toMillis(), t -> connectSubscriber(next));
    }

    /** A pub/sub message: {@code ["message", channel, payload]} (RESP2 array or RESP3 push). */
    private void onPush(Response push) {
        if (push == null || (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI) || push.size() < 3
                || !"message".equals(push.get(0).toString())) {
            return;
        }
        String channel = push.get(1).toString();
        String message = push.get(2).toString();
        if (CONTROL_CHANNEL.equals(channel)) {
            try {
                controlHandler.accept(message);
            } catch (RuntimeException e) {
                Log.errorf(e, "control message failed: %s", message);
            }
            return;
        }
        if (!channel.startsWith(CHANNEL_PREFIX)) {
            return;
        }
        received.increment();
        int first = message.indexOf('|');
        int second = message.indexOf('|', first + 1);
        if (first < 0 || second < 0) {
            return;
        }
        String exclude = second == first + 1 ? null : message.substring(first + 1, second);
        hub.deliver(channel.substring(CHANNEL_PREFIX.length()), exclude, message.substring(second + 1));
    }

    private static String quote(String s) {
        return new String(JSON.quoteAsString(s));
    }

    private static <T> Uni<T> toUni(io.vertx.core.Future<T> future) {
        return Uni.createFrom().completionStage(future.toCompletionStage());
    }
}
