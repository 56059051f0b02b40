package dev.switchboard.gateway.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A connection's lease on its user's tokens: how much it asks for, what it spends alone, when it lets go. */
class RateLimiterBucketTest {
    private static final int MAX = 5;

    /** A bucket that was granted its first token at {@code t} and, at {@code t + 1}, asks for two. */
    private static RateLimiter.Bucket askingForTwo(long t) {
        RateLimiter.Bucket bucket = new RateLimiter.Bucket(1000, 1000);
        assertThat(bucket.takeLeased(t, MAX)).isEqualTo(1);
        bucket.leased(1, t);
        assertThat(bucket.takeLeased(t + 1, MAX)).isEqualTo(2);
        return bucket;
    }

    @Test
    void aLeaseStartsAtOneAndDoublesWhileTheConnectionKeepsAsking() {
        RateLimiter.Bucket bucket = new RateLimiter.Bucket(1000, 1000);
        long t = 1_000_000;
        assertThat(bucket.takeLeased(t, MAX)).isEqualTo(1);
        bucket.leased(1, t);
        assertThat(bucket.takeLeased(t + 10, MAX)).as("nothing left: ask for twice as much").isEqualTo(2);
        bucket.leased(2, t + 10);
        assertThat(bucket.takeLeased(t + 20, MAX)).as("the second token of that lease").isZero();
        assertThat(bucket.takeLeased(t + 30, MAX)).isEqualTo(4);
        bucket.leased(4, t + 30);
        for (int i = 0; i < 3; i++) {
            assertThat(bucket.takeLeased(t + 40 + i, MAX)).isZero();
        }
        assertThat(bucket.takeLeased(t + 50, MAX)).as("capped").isEqualTo(MAX);
    }

    @Test
    void unspentTokensLapseAfterTheTtlAndAQuietConnectionStartsAgainAtOne() {
        long t = 1_000_000;
        RateLimiter.Bucket bucket = askingForTwo(t);
        bucket.leased(2, t + 1);
        // One token of the lease is left, but its second is over: it is dropped, not spent.
        long later = t + 1 + RateLimiter.LEASE_TTL_MS;
        assertThat(bucket.takeLeased(later, MAX)).as("the lease lapsed").isEqualTo(1);
        bucket.leased(1, later);
        assertThat(bucket.takeLeased(later + 5 * RateLimiter.LEASE_TTL_MS, MAX)).as("after a quiet while").isEqualTo(1);
    }

    @Test
    void aRefusalOrAShortGrantIsTakenAsItIs() {
        long t = 1_000_000;
        RateLimiter.Bucket bucket = askingForTwo(t);
        bucket.leased(0, t + 1); // the user is over the limit
        assertThat(bucket.takeLeased(t + 2, MAX)).as("after a refusal: one at a time").isEqualTo(1);
        bucket.leased(1, t + 2);
        assertThat(bucket.takeLeased(t + 3, MAX)).isEqualTo(2);
        bucket.leased(1, t + 3); // the bucket had one token left: no lease
        assertThat(bucket.takeLeased(t + 4, MAX)).as("nothing leased to spend").isEqualTo(4);
    }
}
