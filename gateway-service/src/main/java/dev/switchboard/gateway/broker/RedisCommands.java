package dev.switchboard.gateway.broker;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * One Redis command as a Uni, sent when subscribed to: how the gateway's Redis classes talk to Redis.
 * A command that gets no answer within {@link #TIMEOUT} fails with a {@link TimeoutException}: a request
 * on a connection that Redis dropped without the client noticing must not hold its caller (a Kafka
 * partition's fan-out, a join) for ever. Callers that retry (the fan-out) send it again; a repeated
 * room event is dropped by the room log's event id.
 */
public final class RedisCommands {
    /** How long a command may go unanswered; far above any answer of a live Redis, even a busy one. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** How often the commands waiting for an answer are looked over: a timeout fires up to this much late. */
    static final Duration SWEEP = Duration.ofMillis(500);

    /**
     * The commands waiting for an answer. Timing each one out with a timer task of its own cost a
     * wake-up of the timer's thread for nearly every command (the queue is mostly empty, so each new
     * task is its head); a set that one thread looks over twice a second costs none per command.
     */
    private static final Set<Deadline<?>> WAITING = ConcurrentHashMap.newKeySet();

    static {
        ScheduledThreadPoolExecutor sweeper = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "redis-command-timeout");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleAtFixedRate(RedisCommands::sweep, SWEEP.toMillis(), SWEEP.toMillis(), TimeUnit.MILLISECONDS);
    }

    private RedisCommands() {
    }

    public static Uni<Response> send(Redis redis, Request request) {
        return timed(Uni.createFrom().completionStage(() -> redis.send(request).toCompletionStage()),
                request.command());
    }

    /** The requests pipelined on one connection in one write; fails if any of them does. */
    public static Uni<List<Response>> batch(Redis redis, List<Request> requests) {
        return timed(Uni.createFrom().completionStage(() -> redis.batch(requests).toCompletionStage()),
                "a batch of " + requests.size());
    }

    /** As {@link #batch(Redis, List)}, on a connection the caller holds: batches sent one after the other run in that order. */
    public static Uni<List<Response>> batch(RedisConnection connection, List<Request> requests) {
        return timed(Uni.createFrom().completionStage(() -> connection.batch(requests).toCompletionStage()),
                "a batch of " + requests.size());
    }

    /** Commands waiting for an answer now (for tests). */
    static int waiting() {
        return WAITING.size();
    }

    private static <T> Uni<T> timed(Uni<T> call, Object what) {
        return Uni.createFrom().emitter(emitter -> {
            Deadline<T> deadline = new Deadline<>(System.nanoTime() + TIMEOUT.toNanos(), what, emitter);
            WAITING.add(deadline);
            emitter.onTermination(deadline::abandon);
            deadline.upstream = call.subscribe().with(deadline::answer, deadline::fail);
        });
    }

    private static void sweep() {
        long now = System.nanoTime();
        for (Deadline<?> deadline : WAITING) {
            if (now - deadline.at >= 0) {
                deadline.timeOut();
            }
        }
    }

    /** One command's wait: settled once, by its answer, its failure, its timeout or its caller's cancellation. */
    private static final class Deadline<T> {
        final long at;
        final Object what;
        final UniEmitter<? super T> emitter;
        final AtomicBoolean settled = new AtomicBoolean();
        volatile Cancellable upstream;

        Deadline(long at, Object what, UniEmitter<? super T> emitter) {
            this.at = at;
            this.what = what;
            this.emitter = emitter;
        }

        private boolean settle() {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            WAITING.remove(this);
            return true;
        }

        void answer(T item) {
            if (settle()) {
                emitter.complete(item);
            }
        }

        void fail(Throwable failure) {
            if (settle()) {
                emitter.fail(failure);
            }
        }

        /** No answer in time: stop waiting for it, and fail the caller. */
        void timeOut() {
            if (settle()) {
                cancelCall();
                emitter.fail(new TimeoutException("no answer from Redis to " + what + " within " + TIMEOUT.toSeconds()
                        + " s"));
            }
        }

        /** The caller cancelled: stop waiting, and drop the answer if it still comes. */
        void abandon() {
            if (settle()) {
                cancelCall();
            }
        }

        private void cancelCall() {
            Cancellable call = upstream;
            if (call != null) {
                call.cancel();
            }
        }
    }
}
