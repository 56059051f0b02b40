package dev.switchboard.gateway.fanout;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.switchboard.gateway.broker.RedisBroker;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;

/**
 * One Kafka channel's Redis batches, pipelined on one connection of its own: a poll's batch is written as soon as
 * it is routed, without waiting for the answer to the poll before it, with up to {@code depth} polls unsettled.
 * (Waiting for each answer before taking the next poll left the consumer idle for a round trip per poll, and that
 * answer queued behind the deliveries of its event loop: at its limit the records piled up in the consumer.)
 *
 * <p>Order: Redis runs one connection's commands in the order they were written, so each aggregate's records keep
 * their order across polls. Every batch starts with a {@code SCRIPT LOAD}, so a Redis that lost the publish script
 * refuses none of it. Batches settle (and their polls are acknowledged) in the order they were sent. When one
 * fails (Redis went away, a command timed out, an error reply), nothing more is written on that connection: the
 * failed batch is published again record by record, with their retries, once every batch before it has settled;
 * the batches after it settle after it, each published again the same way if it failed too; only then is a new
 * connection taken and the waiting batches written on it. Commands of one connection run in order, so what a
 * failed batch did append came before anything of a later batch, and the room log drops a repeat by its event id.
 *
 * <p>All of its state is kept on one Vert.x context and touched only there.
 */
final class PublishPipeline {
    private static final Duration MAX_CONNECT_DELAY = Duration.ofSeconds(5);

    private final String name;
    private final RedisBroker broker;
    private final Vertx vertx;
    private final Context context;
    private final int depth;
    /** Submitted, not written yet: waiting for a connection (after a failure, for every batch before to settle). */
    private final ArrayDeque<Batch> waiting = new ArrayDeque<>();
    /** Written, in order, not settled yet. */
    private final ArrayDeque<Batch> inFlight = new ArrayDeque<>();
    private RedisConnection connection;
    /** A connection given up on, closed once no batch written on it waits for its answer. */
    private RedisConnection retiring;
    private boolean connecting;
    private long connectDelayMs;
    /** The channel's next poll, held back while {@code depth} polls are unsettled. */
    private CompletableFuture<Void> admission;

    PublishPipeline(String name, RedisBroker broker, Vertx vertx, int depth) {
        this.name = name;
        this.broker = broker;
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.depth = Math.max(1, depth);
    }

    /**
     * Sends a poll's requests (called one poll at a time, in the channel's order).
     *
     * @param recover publishes the poll's records again one by one, retrying until Redis takes them (never fails)
     * @param settled completed once every room event of the poll is in its room log
     * @return completes when the channel may hand over its next poll
     */
    Uni<Void> submit(List<Request> requests, int roomEvents, Supplier<Uni<Void>> recover, CompletableFuture<Void> settled) {
        Batch batch = new Batch(requests, roomEvents, recover, settled);
        CompletableFuture<Void> admitted = new CompletableFuture<>();
        context.runOnContext(v -> {
            waiting.add(batch);
            pump();
            if (unsettled() < depth) {
                admitted.complete(null);
            } else {
                admission = admitted;
            }
        });
        return Uni.createFrom().completionStage(admitted);
    }

    private int unsettled() {
        return waiting.size() + inFlight.size();
    }

    /** Writes the waiting batches, or takes a new connection once none of the old one's batches is unsettled. */
    private void pump() {
        while (!waiting.isEmpty()) {
            if (connection == null) {
                if (inFlight.isEmpty() && !connecting) {
                    connect();
                }
                return;
            }
            Batch batch = waiting.poll();
            inFlight.add(batch);
            RedisConnection on = connection;
            broker.batch(on, batch.requests, batch.roomEvents).subscribe().with(
                    ok -> context.runOnContext(x -> answered(batch, null, on)),
                    e -> context.runOnContext(x -> answered(batch, e, on)));
        }
    }

    private void answered(Batch batch, Throwable failure, RedisConnection on) {
        batch.answered = true;
        batch.failure = failure;
        if (failure != null) {
            giveUp(on, failure);
        }
        settle();
    }

    /** Settles the batches at the head, in order; a failed one is published again before any after it settles. */
    private void settle() {
        while (!inFlight.isEmpty()) {
            Batch head = inFlight.peek();
            if (!head.answered || head.recovering) {
                break;
            }
            if (head.failure != null) {
                head.recovering = true;
                Log.warnf("%s: a batch of %d requests failed (%s); publishing its records again one by one", name,
                        head.requests.size(), head.failure.getMessage());
                Uni.createFrom().<Void>deferred(() -> head.recover.get()).subscribe().with(
                        v -> context.runOnContext(x -> recovered(head, null)),
                        e -> context.runOnContext(x -> recovered(head, e)));
                break;
            }
            inFlight.poll();
            head.settled.complete(null);
        }
        if (inFlight.isEmpty() && retiring != null) {
            retiring.close();
            retiring = null;
        }
        if (admission != null && unsettled() < depth) {
            CompletableFuture<Void> next = admission;
            admission = null;
            next.complete(null);
        }
        pump();
    }

    private void recovered(Batch batch, Throwable failure) {
        batch.recovering = false;
        if (failure == null) {
            batch.failure = null;
        } else {
            Log.warnf("%s: publishing a failed batch again failed too (%s); trying again", name, failure.getMessage());
        }
        settle();
    }

    /** Writes nothing more on {@code on}; it is closed once every batch written on it has settled. */
    private void giveUp(RedisConnection on, Throwable cause) {
        if (connection == on) {
            connection = null;
            retiring = on;
            Log.debugf("%s: leaving a Redis connection (%s)", name, cause == null ? "closed" : cause.getMessage());
        }
    }

    private void connect() {
        connecting = true;
        if (retiring != null) {
            retiring.close();
            retiring = null;
        }
        long delay = connectDelayMs;
        Runnable attempt = () -> broker.connect().subscribe().with(
                c -> context.runOnContext(x -> connected(c)),
                e -> context.runOnContext(x -> {
                    connecting = false;
                    connectDelayMs = Math.min(Math.max(100, connectDelayMs * 2), MAX_CONNECT_DELAY.toMillis());
                    Log.warnf("%s: no Redis connection (%s); trying again in %d ms", name, e.getMessage(), connectDelayMs);
                    pump();
                }));
        if (delay == 0) {
            attempt.run();
        } else {
            vertx.setTimer(delay, t -> context.runOnContext(x -> attempt.run()));
        }
    }

    private void connected(RedisConnection c) {
        connecting = false;
        connectDelayMs = 0;
        connection = c;
        c.exceptionHandler(e -> context.runOnContext(x -> giveUp(c, e)));
        c.endHandler(v -> context.runOnContext(x -> giveUp(c, null)));
        pump();
    }

    /** Closes the connection (at shutdown). */
    void close() {
        context.runOnContext(v -> {
            if (connection != null) {
                connection.close();
                connection = null;
            }
        });
    }

    private static final class Batch {
        final List<Request> requests;
        final int roomEvents;
        final Supplier<Uni<Void>> recover;
        final CompletableFuture<Void> settled;
        boolean answered;
        boolean recovering;
        Throwable failure;

        Batch(List<Request> requests, int roomEvents, Supplier<Uni<Void>> recover, CompletableFuture<Void> settled) {
            this.requests = requests;
            this.roomEvents = roomEvents;
            this.recover = recover;
            this.settled = settled;
        }
    }
}
