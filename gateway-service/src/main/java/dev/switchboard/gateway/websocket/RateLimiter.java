package dev.switchboard.gateway.websocket;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;

import dev.switchboard.gateway.broker.LuaScript;
import dev.switchboard.gateway.config.GatewayConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.redis.client.Redis;

/**
 * Request rate limits (SPEC §7): a token bucket per connection, kept in the session, and one per
 * user kept in Redis, so a user's limit holds over all their connections on every instance. A
 * connection that keeps hitting the limits is closed with 1008.
 */
@ApplicationScoped
public class RateLimiter {
    public static final int CLOSE_POLICY_VIOLATION = 1008;
    private static final long ABUSE_WINDOW_MS = 10_000;

    private final Redis redis;
    private final GatewayConfig.Limits limits;
    private final LuaScript userBucket = LuaScript.load("rate-limit.lua");
    private final LongAdder limitedConnection = new LongAdder();
    private final LongAdder limitedUser = new LongAdder();
    private final LongAdder abuseClosed = new LongAdder();

    private final dev.switchboard.gateway.broker.RedisBroker broker;

    public RateLimiter(Redis redis, GatewayConfig config, dev.switchboard.gateway.broker.RedisBroker broker) {
        this.redis = redis;
        this.broker = broker;
        this.limits = config.limits();
    }

    /** Why a request was refused, or null when it may go on. */
    public enum Verdict {
        CONNECTION, USER
    }

    public Bucket newBucket() {
        return new Bucket(limits.messagesPerSecond(), limits.messagesBurst());
    }

    /**
     * Takes one request from the connection's bucket, then from the user's in Redis. If Redis does
     * not answer, the connection's own limit is what holds (the request is not refused for it).
     */
    public Uni<Verdict> acquire(Session session) {
        if (!session.bucket().tryTake()) {
            limitedConnection.increment();
            return Uni.createFrom().item(Verdict.CONNECTION);
        }
        String userId = session.userId();
        if (userId == null || limits.userMessagesPerSecond() <= 0 || !broker.connected()) {
            return Uni.createFrom().nullItem(); // Redis down: the connection's own limit holds meanwhile
        }
        return userBucket.run(redis, List.of("sb:rate:{" + userId + "}"),
                List.of(String.valueOf(limits.userMessagesPerSecond()), String.valueOf(limits.userMessagesBurst()),
                        String.valueOf(System.currentTimeMillis())))
                .map(r -> {
                    if (r.toInteger() == 1) {
                        return (Verdict) null;
                    }
                    limitedUser.increment();
                    return Verdict.USER;
                })
                .ifNoItem().after(java.time.Duration.ofMillis(250)).recoverWithItem((Verdict) null)
                .onFailure().recoverWithNull();
    }

    /** Records a refusal; true when the connection has been refused so often that it is to be closed. */
    public boolean abusive(Session session) {
        if (session.bucket().refused(limits.abuseCloseAfter())) {
            abuseClosed.increment();
            return true;
        }
        return false;
    }

    public long limitedConnection() {
        return limitedConnection.sum();
    }

    public long limitedUser() {
        return limitedUser.sum();
    }

    public long abuseClosed() {
        return abuseClosed.sum();
    }

    /** A connection's token bucket; used from the connection's own (serial) request handling. */
    public static final class Bucket {
        private final double ratePerMs;
        private final double burst;
        private double tokens;
        private long refilledAt = System.currentTimeMillis();
        private long windowStart;
        private int refusedInWindow;

        Bucket(int perSecond, int burst) {
            this.ratePerMs = perSecond / 1000.0;
            this.burst = Math.max(1, burst);
            this.tokens = this.burst;
        }

        synchronized boolean tryTake() {
            long now = System.currentTimeMillis();
            tokens = Math.min(burst, tokens + (now - refilledAt) * ratePerMs);
            refilledAt = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }

        synchronized boolean refused(int closeAfter) {
            long now = System.currentTimeMillis();
            if (now - windowStart > ABUSE_WINDOW_MS) {
                windowStart = now;
                refusedInWindow = 0;
            }
            return ++refusedInWindow >= closeAfter;
        }
    }
}
