package dev.switchboard.gateway.broker;

import java.time.Duration;
import java.util.ArrayList;
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
import io.vertx.core.Context;
import io.vertx.core.Promise;
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
    private final LuaScript epochScript = LuaScript.load("room-epoch.lua");
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
    private final LongAdder published = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final RoomSequencer sequencer;
    private volatile Consumer<String> controlHandler = message -> {
    };
    private volatile Runnable reconnectHandler = () -> {
    };
    private volatile boolean everConnected;
    private volatile RedisConnection subscriber;
    /**
     * The subscriber connection's context. Every subscribe and unsubscribe is decided and sent there, one after
     * the other: a join's SUBSCRIBE and a concurrent last leave's UNSUBSCRIBE reach Redis in the order the room's
     * membership changed, so a room with local members is never left unsubscribed. (Decided on the callers'
     * threads, a leave that had found the room empty could send its UNSUBSCRIBE after a new member's SUBSCRIBE.)
     */
    private final Context pubsub;
    private volatile boolean stopping;

    public RedisBroker(Redis redis, Vertx vertx, LocalHub hub, GatewayConfig config) {
        this.redis = redis;
        this.vertx = vertx;
        this.hub = hub;
        this.config = config;
        this.sequencer = new RoomSequencer(hub, (room, span) -> range(room, span[0], span[1]), this::position);
        // One fixed context, made with the bean (before any socket can join a room): subscriptions are decided on its loop.
        this.pubsub = vertx.getOrCreateContext();
    }

    void start(@jakarta.enterprise.event.Observes StartupEvent event) {
        pubsub.runOnContext(v -> connectSubscriber(Duration.ofMillis(100)));
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

    /** Called when the subscriber connection is back after Redis was unreachable (it may have lost its data). */
    public void onReconnect(Runnable handler) {
        this.reconnectHandler = handler;
    }

    /**
     * Appends a room event to the room log and publishes it. The frame is
     * {@code {"type", "payload": {"room", "seq", "event_id", ...payload fields}}}.
     *
     * @param payloadJson the payload object's JSON
     * @return the event's seq, or 0 when the event id was seen before (a redelivery)
     */
    public Uni<Long> publishRoomEvent(String room, String type, String eventId, String payloadJson, String excludeUser) {
        return publishRoomEvent(room, type, eventId, payloadJson, null, null, excludeUser);
    }

    /**
     * As above; a ticket room's event also goes into the room's long index, as {@code indexPayloadJson}
     * when given (a chat message reduced to its id, {@code messageId}, which chat-service keeps).
     */
    public Uni<Long> publishRoomEvent(String room, String type, String eventId, String payloadJson,
            String indexPayloadJson, String messageId, String excludeUser) {
        ScriptCall call = publishCall(room, type, eventId, payloadJson, indexPayloadJson, messageId, excludeUser);
        return publishScript.run(redis, call.keys(), call.args())
                .map(Response::toLong)
                .invoke(seq -> published.increment());
    }

    /** The request {@link #publishRoomEvent} sends, for {@link #batch}. */
    public Request publishRoomEventRequest(String room, String type, String eventId, String payloadJson,
            String indexPayloadJson, String messageId, String excludeUser) {
        ScriptCall call = publishCall(room, type, eventId, payloadJson, indexPayloadJson, messageId, excludeUser);
        return publishScript.request(call.keys(), call.args());
    }

    private record ScriptCall(List<String> keys, List<String> args) {
    }

    private ScriptCall publishCall(String room, String type, String eventId, String payloadJson,
            String indexPayloadJson, String messageId, String excludeUser) {
        String prefix = "{\"type\":\"" + quote(type) + "\",\"payload\":{\"room\":\"" + quote(room) + "\",\"seq\":";
        String suffix = suffix(eventId, payloadJson);
        String indexSuffix = indexPayloadJson == null ? "" : suffix(eventId, indexPayloadJson);
        long maxAge = Math.max(1, config.roomLog().maxAge().toSeconds());
        boolean indexed = room.startsWith("ticket:") && config.roomLog().indexMaxEvents() > 0;
        return new ScriptCall(
                List.of(seqKey(room), logKey(room), "sb:{" + room + "}:dedup:" + eventId, epochKey(room), indexKey(room)),
                List.of(CHANNEL_PREFIX + room, prefix, suffix, String.valueOf(config.roomLog().maxEvents()),
                        String.valueOf(maxAge), excludeUser == null ? "" : excludeUser, newEpoch(), indexSuffix,
                        messageId == null ? "" : messageId,
                        indexed ? String.valueOf(config.roomLog().indexMaxEvents()) : "0"));
    }

    /** A room event to append and publish: the arguments of {@link #publishRoomEvent}, without an index entry. */
    public record PendingEvent(String room, String type, String eventId, String payloadJson) {
    }

    /**
     * Room events appended to their room logs and published in one pipelined write, in the list's order, so
     * each room's events get their seqs in that order. Returns each one's seq, in the same order (0 for an event
     * id seen before). When Redis lacks the publish script (NOSCRIPT: after a restart or SCRIPT FLUSH every EVALSHA
     * of the write is refused, the batch fails as a whole naming each, and nothing of it is appended), the events
     * are sent again one by one, in order, which loads the script; any other failure fails the whole call.
     */
    public Uni<List<Long>> publishRoomEvents(List<PendingEvent> events) {
        List<ScriptCall> calls = new ArrayList<>(events.size());
        List<Request> requests = new ArrayList<>(events.size());
        for (PendingEvent e : events) {
            ScriptCall call = publishCall(e.room(), e.type(), e.eventId(), e.payloadJson(), null, null, null);
            calls.add(call);
            requests.add(publishScript.request(call.keys(), call.args()));
        }
        Uni<List<Long>> batched = RedisCommands.batch(redis, requests).map(responses -> {
            List<Long> seqs = new ArrayList<>(responses.size());
            for (Response response : responses) {
                if (response == null || response.type() == ResponseType.ERROR) {
                    throw new IllegalStateException(String.valueOf(response));
                }
                seqs.add(response.toLong());
            }
            return seqs;
        });
        return batched.onFailure(e -> String.valueOf(e.getMessage()).contains("NOSCRIPT")).recoverWithUni(() -> {
            Uni<List<Long>> chain = Uni.createFrom().item(new ArrayList<>(calls.size()));
            for (ScriptCall call : calls) {
                chain = chain.chain(seqs -> publishScript.run(redis, call.keys(), call.args()).map(r -> {
                    seqs.add(r.toLong());
                    return seqs;
                }));
            }
            return chain;
        }).invoke(seqs -> published.add(seqs.size()));
    }

    /** The request {@link #publishControl} sends, for {@link #batch}. */
    public Request publishControlRequest(String message) {
        return Request.cmd(Command.PUBLISH).arg(CONTROL_CHANNEL).arg(message);
    }

    /**
     * Sends publish requests ({@link #publishRoomEventRequest}, {@link #publishControlRequest}) pipelined in one
     * write, in order, on a connection the caller holds, after a {@code SCRIPT LOAD} of the publish script (so that a
     * Redis that lost it, after a restart or SCRIPT FLUSH, refuses none of the batch). Batches sent on one connection
     * one after the other run in that order, whether or not the answer to the one before has come. Fails as a whole
     * if any request fails (a batch is safe to send again: a room event's id makes a second append of it a no-op).
     */
    public Uni<Void> batch(RedisConnection connection, List<Request> requests, int roomEvents) {
        List<Request> all = new ArrayList<>(requests.size() + 1);
        all.add(publishScript.loadRequest());
        all.addAll(requests);
        return RedisCommands.batch(connection, all).invoke(responses -> {
            for (Response response : responses) {
                if (response != null && response.type() == ResponseType.ERROR) {
                    throw new IllegalStateException("Redis refused a batched publish: " + response);
                }
            }
            published.add(roomEvents);
        }).replaceWithVoid();
    }

    /** A connection of the pool held by the caller until it closes it (for batches that must run in the order sent). */
    public Uni<RedisConnection> connect() {
        return Uni.createFrom().completionStage(() -> redis.connect().toCompletionStage());
    }

    private static String suffix(String eventId, String payloadJson) {
        String body = payloadJson.trim();
        String rest = body.length() <= 2 ? "}" : "," + body.substring(1);
        return ",\"event_id\":\"" + quote(eventId) + "\"" + rest + "}";
    }

    /** A fresh epoch for a room whose seq series starts (again). */
    private static String newEpoch() {
        return Long.toString(System.currentTimeMillis(), 36) + "-"
                + Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    }

    /** Publishes a signal that is delivered to the room's members now and never stored. */
    public Uni<Void> publishEphemeral(String room, String excludeUser, String frame) {
        return send(Request.cmd(Command.PUBLISH).arg(CHANNEL_PREFIX + room)
                .arg("0||" + (excludeUser == null ? "" : excludeUser) + "|" + frame)).replaceWithVoid();
    }

    public Uni<Void> publishControl(String message) {
        return send(publishControlRequest(message)).replaceWithVoid();
    }

    /** The room's latest seq (0 when it has none) and the epoch of its seq series (null then). */
    public record Position(long seq, String epoch) {
    }

    public Uni<Position> position(String room) {
        return send(Request.cmd(Command.MGET).arg(seqKey(room)).arg(epochKey(room))).map(r -> {
            Response seq = r.get(0);
            Response epoch = r.get(1);
            return new Position(seq == null ? 0L : seq.toLong(), epoch == null ? null : epoch.toString());
        });
    }

    /**
     * As {@link #position}, creating the room's epoch when it has none yet, so a client joining learns it;
     * this instance's sequencer follows the room from that position on.
     */
    public Uni<Position> positionWithEpoch(String room) {
        return position(room).chain(p -> p.epoch() != null ? Uni.createFrom().item(p)
                : epochScript.run(redis, List.of(epochKey(room)),
                        List.of(newEpoch(), String.valueOf(Math.max(1, config.roomLog().maxAge().toSeconds()))))
                        .map(e -> new Position(p.seq(), e.toString())))
                .invoke(p -> sequencer.observe(room, p.epoch(), p.seq()));
    }

    /** A room log entry: the event's seq and its frame. */
    public record LogEntry(long seq, String frame) {
    }

    /** Room log entries with {@code from <= seq <= to}, in order (those trimmed away are missing). */
    public Uni<List<LogEntry>> range(String room, long from, long to) {
        return send(Request.cmd(Command.XRANGE).arg(logKey(room)).arg(from + "-0").arg(to + "-0")).map(entries -> {
            List<LogEntry> out = new ArrayList<>();
            for (Response entry : entries) {
                out.add(new LogEntry(seqOf(entry), entry.get(1).get(1).toString()));
            }
            return out;
        });
    }

    /** An entry of a ticket room's long index: the frame, or a stub whose chat message is to be fetched. */
    public record IndexEntry(long seq, String frame, String messageId) {
    }

    public Uni<List<IndexEntry>> indexRange(String room, long from, long to) {
        return send(Request.cmd(Command.XRANGE).arg(indexKey(room)).arg(from + "-0").arg(to + "-0")).map(entries -> {
            List<IndexEntry> out = new ArrayList<>();
            for (Response entry : entries) {
                Response fields = entry.get(1);
                String frame = null;
                String messageId = null;
                for (int i = 0; i + 1 < fields.size(); i += 2) {
                    String name = fields.get(i).toString();
                    if (name.equals("f")) {
                        frame = fields.get(i + 1).toString();
                    } else if (name.equals("m")) {
                        messageId = fields.get(i + 1).toString();
                    }
                }
                out.add(new IndexEntry(seqOf(entry), frame, messageId == null || messageId.isEmpty() ? null : messageId));
            }
            return out;
        });
    }

    private static long seqOf(Response entry) {
        String id = entry.get(0).toString();
        return Long.parseLong(id.substring(0, id.indexOf('-')));
    }

    /**
     * Makes this instance receive the room's events; completes once Redis has confirmed. Called after the
     * member was added to the local hub (and on every join: the confirmation also covers an earlier SUBSCRIBE
     * still in flight).
     */
    public Uni<Void> subscribe(String room) {
        Promise<Void> confirmed = Promise.promise();
        pubsub.runOnContext(v -> {
            subscribed.add(room);
            RedisConnection c = subscriber;
            if (c == null) {
                confirmed.fail(new IllegalStateException("not connected to Redis"));
                return;
            }
            c.send(Request.cmd(Command.SUBSCRIBE).arg(CHANNEL_PREFIX + room)).<Void> mapEmpty().onComplete(confirmed);
        });
        return toUni(confirmed.future());
    }

    /** The room's last local member has left (called after the hub let it go): stop receiving its events. */
    public void unsubscribe(String room) {
        pubsub.runOnContext(v -> {
            if (hub.hasMembers(room) || !subscribed.remove(room)) {
                return; // a member joined again in the meantime (its SUBSCRIBE was, or will be, sent after this)
            }
            sequencer.forget(room);
            RedisConnection c = subscriber;
            if (c != null) {
                c.send(Request.cmd(Command.UNSUBSCRIBE).arg(CHANNEL_PREFIX + room))
                        .onFailure(e -> Log.debugf("unsubscribe %s: %s", room, e.getMessage()));
            }
        });
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

    public static String epochKey(String room) {
        return "sb:{" + room + "}:epoch";
    }

    public static String indexKey(String room) {
        return "sb:{" + room + "}:idx";
    }

    public long gapsFilled() {
        return sequencer.gapsFilled();
    }

    public long resyncs() {
        return sequencer.resyncs();
    }

    public long duplicatesDropped() {
        return sequencer.duplicates();
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
                    vertx.setTimer(200, t -> pubsub.runOnContext(x -> connectSubscriber(Duration.ofMillis(200))));
                }
            });
            Request subscribe = Request.cmd(Command.SUBSCRIBE).arg(CONTROL_CHANNEL);
            subscribed.forEach(room -> subscribe.arg(CHANNEL_PREFIX + room));
            connection.send(subscribe).onSuccess(r -> {
                subscriber = connection;
                Log.infof("subscribed to Redis pub/sub (%d rooms)", subscribed.size());
                if (everConnected) {
                    sequencer.catchUp();
                    try {
                        reconnectHandler.run();
                    } catch (RuntimeException e) {
                        Log.errorf(e, "after the Redis reconnect");
                    }
                }
                everConnected = true;
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
        vertx.setTimer(retryIn.toMillis(), t -> pubsub.runOnContext(x -> connectSubscriber(next)));
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
        // seq|epoch|excludeUser|frame (seq 0 and no epoch for an ephemeral signal)
        int first = message.indexOf('|');
        int second = first < 0 ? -1 : message.indexOf('|', first + 1);
        int third = second < 0 ? -1 : message.indexOf('|', second + 1);
        if (third < 0) {
            return;
        }
        long seq;
        try {
            seq = Long.parseLong(message, 0, first, 10);
        } catch (NumberFormatException e) {
            return;
        }
        String epoch = message.substring(first + 1, second);
        String exclude = third == second + 1 ? null : message.substring(second + 1, third);
        sequencer.onMessage(channel.substring(CHANNEL_PREFIX.length()), seq, epoch, exclude,
                message.substring(third + 1));
    }

    private static String quote(String s) {
        return new String(JSON.quoteAsString(s));
    }

    private static <T> Uni<T> toUni(io.vertx.core.Future<T> future) {
        return Uni.createFrom().completionStage(future.toCompletionStage());
    }
}
