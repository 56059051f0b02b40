package dev.switchboard.gateway.broker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeoutException;

import io.smallrye.mutiny.Uni;
import io.vertx.redis.client.Redis;
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

    /** Cancelled timeouts leave the queue at once (most commands are answered in a millisecond). */
    private static final ScheduledThreadPoolExecutor TIMER = timer();

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

    private static <T> Uni<T> timed(Uni<T> call, Object what) {
        return call.ifNoItem().after(TIMEOUT).on(TIMER).failWith(() -> new TimeoutException(
                "no answer from Redis to " + what + " within " + TIMEOUT.toSeconds() + " s"));
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "redis-command-timeout");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
