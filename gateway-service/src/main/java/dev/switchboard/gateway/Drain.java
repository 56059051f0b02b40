package dev.switchboard.gateway;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.switchboard.gateway.config.GatewayConfig;
import dev.switchboard.gateway.room.LocalHub;
import dev.switchboard.gateway.websocket.FrameCodec;
import dev.switchboard.gateway.websocket.Session;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;

/**
 * Graceful shutdown (SPEC §7): on SIGTERM the instance reports not ready and refuses new upgrades
 * (503), then tells each client to reconnect elsewhere ({@code reconnect {delay_ms}}, a random delay)
 * and closes it with 1012, the closes spread over {@code switchboard.gateway.drain.window} so that a
 * rolling deploy causes no reconnect storm. A client that is back on another instance within the
 * presence offline delay is never announced offline. The instance exits once every socket is
 * closed, or the window plus a few seconds have passed.
 */
@ApplicationScoped
public class Drain {
    public static final int CLOSE_SERVICE_RESTART = 1012;
    private static final Duration GRACE = Duration.ofSeconds(3);

    private final LocalHub hub;
    private final FrameCodec codec;
    private final GatewayConfig config;
    private final Vertx vertx;
    private volatile boolean draining;

    public Drain(LocalHub hub, FrameCodec codec, GatewayConfig config, Vertx vertx) {
        this.hub = hub;
        this.codec = codec;
        this.config = config;
        this.vertx = vertx;
    }

    public boolean draining() {
        return draining;
    }

    /**
     * SIGTERM with {@code quarkus.shutdown.delay} set: the server runs on for the delay (readiness
     * already down) while the sockets are closed one by one.
     */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        start();
    }

    /** Without a shutdown delay, the drain happens here, holding the shutdown up until it is done. */
    void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
        if (!draining) {
            start();
        }
        long deadline = System.currentTimeMillis() + config.drain().window().toMillis() + GRACE.toMillis();
        while (hub.connectionCount() > 0 && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(50); // the shutdown thread waits for the sockets to close; nothing else runs on it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Log.infof("drain done; %d connections left", hub.connectionCount());
    }

    private synchronized void start() {
        if (draining) {
            return;
        }
        draining = true;
        List<Session> sessions = List.copyOf(hub.sessions());
        if (sessions.isEmpty()) {
            return;
        }
        long window = Math.max(1, config.drain().window().toMillis());
        long jitter = Math.max(0, config.drain().reconnectJitter().toMillis());
        Log.infof("draining %d connections over %d ms", sessions.size(), window);
        for (Session session : sessions) {
            long closeIn = 1 + ThreadLocalRandom.current().nextLong(window);
            vertx.setTimer(closeIn, t -> {
                long delay = jitter == 0 ? 0 : ThreadLocalRandom.current().nextLong(jitter + 1);
                session.draining(true);
                session.send(codec.event("reconnect", codec.object().put("reason", "server_shutdown")
                        .put("delay_ms", delay)));
                session.close(CLOSE_SERVICE_RESTART, "server restarting: reconnect in " + delay + " ms");
            });
        }
    }
}
