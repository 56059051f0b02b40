package dev.switchboard.messaging.outbox;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "switchboard.outbox")
public interface OutboxConfig {
    Relay relay();

    interface Relay {
        /** Whether this instance relays outbox rows to Kafka (any number may; one works at a time). */
        @WithDefault("true")
        boolean enabled();

        /**
         * Whether writers that can (the chat send) wake this instance's relay in-process after their commit
         * instead of through PostgreSQL's notification ({@link OutboxWake}); false for an A/B comparison.
         */
        @WithDefault("true")
        boolean wakeInProcess();

        /** Rows read and published per transaction. */
        @WithDefault("200")
        int batchSize();

        /** How often to look for rows when no commit notification arrives. */
        @WithDefault("500ms")
        Duration pollInterval();

        /** How long a batch may wait for Kafka's acknowledgements before it is retried. */
        @WithDefault("30s")
        Duration deliveryTimeout();

        /** Longest pause between attempts while Kafka or PostgreSQL is unavailable. */
        @WithDefault("5s")
        Duration maxBackoff();
    }
}
