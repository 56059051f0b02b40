package dev.switchboard.messaging.outbox;

import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;

/**
 * Runs the {@link OutboxRelay} of a service from start-up to shutdown and wakes it whenever a
 * transaction that wrote outbox rows commits: LISTEN on the channel the outbox trigger notifies, and,
 * for writers of this process that mark their statements {@link OutboxWake#LOCAL}, in-process through
 * {@link OutboxWake}.
 */
@ApplicationScoped
public class OutboxRelayLifecycle {
    private static final Logger LOG = Logger.getLogger(OutboxRelayLifecycle.class);
    static final String CHANNEL = "switchboard_outbox";

    private final Pool pool;
    private final Vertx vertx;
    private final Map<String, Object> kafkaConfig;
    private final OutboxConfig config;
    private final String databaseUrl;
    private final Optional<String> username;
    private final Optional<String> password;
    private final OutboxWake wake;
    private OutboxRelay relay;
    private PgSubscriber subscriber;

    OutboxRelayLifecycle(Pool pool, Vertx vertx, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            OutboxConfig config, @ConfigProperty(name = "quarkus.datasource.reactive.url") String databaseUrl,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password, OutboxWake wake) {
        this.pool = pool;
        this.vertx = vertx;
        this.kafkaConfig = kafkaConfig;
        this.config = config;
        this.databaseUrl = databaseUrl;
        this.username = username;
        this.password = password;
        this.wake = wake;
    }

    void start(@Observes StartupEvent event) {
        if (!config.relay().enabled()) {
            LOG.info("outbox relay disabled on this instance");
            return;
        }
        relay = new OutboxRelay(pool, kafkaConfig, OutboxRelay.Settings.of(config.relay()));
        relay.start();
        if (config.relay().wakeInProcess()) {
            wake.attach(relay);
        }
        PgConnectOptions options = PgConnectOptions.fromUri(databaseUrl.replaceFirst("^vertx-reactive:", ""));
        username.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> 1_000L);
        subscriber.channel(CHANNEL).handler(payload -> relay.wakeUp());
        subscriber.connect().subscribe().with(ok -> relay.wakeUp(),
                failure -> LOG.warnf("outbox relay: no commit notifications (%s); polling instead", failure.getMessage()));
    }

    void stop(@Observes ShutdownEvent event) {
        if (subscriber != null) {
            subscriber.close().await().indefinitely();
        }
        if (relay != null) {
            relay.close();
        }
    }
}
