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
 *
 * <p>A connection that keeps sending takes the user's tokens from Redis a few at a time (a lease) and
 * spends them itself: one Redis round trip for several requests instead of one each. The lease
 * starts at one token and doubles while the connection asks again within {@link #LEASE_TTL_MS}, up to a
 * tenth of the user's rate per second (at most {@link #MAX_LEASE}); tokens not spent within the TTL are
 * dropped, never given back. So a lease never lets a user send more than their bucket allows: at worst
 * a user near the limit is refused a little sooner.
 */
@ApplicationScoped
public class RateLimiter {
    public static final int CLOSE_POLICY_VIOLATION = 1008;
    private static final long ABUSE_WINDOW_MS = 10_000;
    /** How long a connection may spend tokens it took from the user's bucket. */
    static final long LEASE_TTL_MS = 1_000;
    /** The most tokens a connection takes from the user's bucket at once. */
    static final int MAX_LEASE = 16;

    private final Redis redis;
    private final GatewayConfig.Limits limits;
    private final LuaScript userBucket = LuaScript.load("rate-limit.lua");
    private final LongAdder limitedConnection = new LongAdder();
    private final LongAdder limitedUser = new LongAdder();
    private final LongAdder abuseClosed = new LongAdder();
    private final LongAdder leasedChecks = new LongAdder();

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
        Bucket bucket = session.bucket();
        long now = System.currentTimeMillis();
        int want = bucket.takeLeased(now, maxLease());
        if (want == 0) {
            leasedChecks.increment();
            return Uni.createFrom().nullItem();
        }
        return userBucket.run(redis, List.of("sb:rate:{" + userId + "}"),
                List.of(String.valueOf(limits.userMessagesPerSecond()), String.valueOf(limits.userMessagesBurst()),
                        String.valueOf(now), String.valueOf(want)))
                .map(r -> {
                    int taken = r.toInteger();
                    bucket.leased(taken, now);
                    if (taken >= 1) {
                        return (Verdict) null;
                    }
                    limitedUser.increment();
                    return Verdict.USER;
                })
                .ifNoItem().after(java.time.Duration.ofMillis(250)).recoverWithItem((Verdict) null)
                .onFailure().recoverWithNull();
    }

    /** The largest lease for this gateway's user limit: a tenth of a second's tokens, 1 to {@link #MAX_LEASE}. */
    int maxLease() {
        return Math.max(1, Math.min(MAX_LEASE, limits.userMessagesPerSecond() / 10));
    }

    /** Requests let through on tokens a connection had leased, without a Redis call. */
    public long leasedChecks() {
        return leasedChecks.sum();
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
        /** Tokens taken from the user's bucket in Redis and not spent yet, until leaseExpires. */
        private int leased;
        private long leaseExpires;
        /** What the last lease asked for, and when it was granted: the next one asks twice as much soon after. */
        private int lastWant;
        private long lastGrant = Long.MIN_VALUE / 2;

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

        /**
         * Spends a leased token if one is left and still valid (returns 0), else says how many tokens to ask
         * the user's bucket for: 1, or twice the last lease when that was granted less than the TTL ago.
         */
        synchronized int takeLeased(long now, int maxLease) {
            if (leased > 0 && now < leaseExpires) {
                leased--;
                return 0;
            }
            leased = 0;
            lastWant = now - lastGrant < LEASE_TTL_MS ? Math.min(maxLease, Math.max(1, lastWant * 2)) : 1;
            return lastWant;
        }

        /** The user's bucket gave {@code taken} tokens, asked for at {@code at}; one is this request's. */
        synchronized void leased(int taken, long at) {
            if (taken <= 0) {
                lastWant = 0;
                return;
            }
            leased += taken - 1;
            leaseExpires = at + LEASE_TTL_MS;
            lastGrant = at;
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
