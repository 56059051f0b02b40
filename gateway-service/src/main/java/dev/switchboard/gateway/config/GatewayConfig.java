package dev.switchboard.gateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The gateway's own settings ({@code switchboard.gateway.*}); every one has a working default. */
@ConfigMapping(prefix = "switchboard.gateway")
public interface GatewayConfig {

    /** This instance's name in Redis and in the stats; a random one when not set. */
    Optional<String> instanceId();

    /**
     * Browser origins allowed to open a WebSocket besides the gateway's own (same host). A request
     * without {@code Origin} (a non-browser client) is always allowed; {@code *} allows any origin.
     */
    @WithDefault("http://localhost:8080,http://127.0.0.1:8080")
    List<String> allowedOrigins();

    /** How long a connection without a token in the handshake has to send {@code authenticate}. */
    @WithDefault("10s")
    Duration authenticateTimeout();

    /** How long before a token expires the client is warned ({@code token_expiring}). */
    @WithDefault("30s")
    Duration tokenExpiryWarning();

    /** How long a ticket access decision from ticket-service is reused (participant events invalidate it). */
    @WithDefault("30s")
    Duration accessCacheTtl();

    /** A typing indicator not renewed within this time is turned off by the gateway. */
    @WithDefault("6s")
    Duration typingTimeout();

    /** Messages sent in {@code messages_history} when a ticket is joined without {@code since}. */
    @WithDefault("50")
    int historyOnJoin();

    /**
     * Room frames written on the socket's own event loop without a flush and flushed per loop in one batch
     * (several events in one write call under load); false flushes every frame, for comparisons.
     */
    @WithDefault("true")
    boolean batchedFlush();

    /**
     * A Kafka poll's records published to Redis in one pipelined batch, in the poll's order, on a connection of
     * the topic's consumer's own; false publishes each record on its own and waits for each poll, for comparisons.
     */
    @WithDefault("true")
    boolean batchedPublish();

    /**
     * With the batched publish: how many polls of one topic may be sent to Redis and not yet answered; 1 waits for
     * each poll's answer before taking the next.
     */
    @WithDefault("8")
    int publishPipelineDepth();

    Presence presence();

    RoomLog roomLog();

    Limits limits();

    Drain drain();

    interface Presence {
        /** A connection's lease in Redis; an instance that dies stops renewing, and its users go offline. */
        @WithDefault("15s")
        Duration lease();

        /** How often each instance renews the leases of its connections. */
        @WithDefault("5s")
        Duration renewEvery();

        /** How often each instance looks for expired leases and due offline/left announcements. */
        @WithDefault("1s")
        Duration sweepEvery();

        /** A user whose last connection closes is announced offline (or as having left a room) only after this. */
        @WithDefault("3s")
        Duration offlineDelay();
    }

    interface RoomLog {
        /** Events kept per room (approximately: Redis trims whole stream nodes). */
        @WithDefault("1000")
        int maxEvents();

        /** A room log not written to for this long expires. */
        @WithDefault("24h")
        Duration maxAge();

        /**
         * Entries kept per ticket room in the long index that recovery falls back on once the log
         * no longer reaches back: every event, with chat messages as references to chat-service.
         */
        @WithDefault("20000")
        int indexMaxEvents();

        /** Pages of 100 messages read from chat-service at most to fill one recovery from the index. */
        @WithDefault("30")
        int historyPages();
    }

    /** Limits per connection and per user (SPEC §7); all reported in /api/v1/realtime/stats. */
    interface Limits {
        /** Requests a connection may send per second, on average (token bucket). */
        @WithDefault("20")
        int messagesPerSecond();

        /** Requests a connection may send in a burst. */
        @WithDefault("40")
        int messagesBurst();

        /** Requests a user may send per second over all their connections on every instance (Redis). */
        @WithDefault("50")
        int userMessagesPerSecond();

        @WithDefault("100")
        int userMessagesBurst();

        /** Requests refused with RATE_LIMITED within 10 s after which the connection is closed (1008). */
        @WithDefault("50")
        int abuseCloseAfter();

        /** Open connections per user over every instance; 0 for no limit. */
        @WithDefault("20")
        int maxConnectionsPerUser();

        /** The largest text message a client may send; a larger one closes the connection with 1009. */
        @WithDefault("65536")
        int maxMessageBytes();

        /** Frames waiting for a slow client beyond the socket's own buffer; more and it is closed (1013). */
        @WithDefault("1024")
        int outboundQueue();

        /** A client whose outbound queue has not drained for this long is closed (1013). */
        @WithDefault("10s")
        Duration slowConsumerTimeout();

        /** A connection from which nothing (not even a pong to the auto-ping) arrives for this long is closed. */
        @WithDefault("75s")
        Duration idleTimeout();

        /** The most events one batch emit ({@code POST /api/v1/realtime/emit}) may carry; more is refused with 400. */
        @WithDefault("100")
        int emitBatchMaxEvents();
    }

    /** Graceful shutdown (SIGTERM): clients are told to reconnect elsewhere, spread over a window. */
    interface Drain {
        /** Closes (1012) are spread over this window, so clients do not all reconnect at once. */
        @WithDefault("5s")
        Duration window();

        /** The most a client is told to wait before reconnecting (a random delay up to this is sent). */
        @WithDefault("1s")
        Duration reconnectJitter();
    }
}
