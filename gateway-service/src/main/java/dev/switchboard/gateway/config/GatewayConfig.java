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

    Presence presence();

    RoomLog roomLog();

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
    }
}
