package dev.switchboard.gateway.fanout;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * Asks the Kafka cluster every two seconds whether it answers ({@code describeCluster}, two seconds
 * at most). The consumers themselves never say that the broker has gone: they retry quietly, and
 * SmallRye's Kafka health stays up for a long time. An instance whose broker is away does not get
 * new events, so it must not report ready; it keeps its sockets and catches up after.
 */
@ApplicationScoped
public class KafkaProbe {
    private static final int EVERY_MS = 2000;
    private static final int TIMEOUT_MS = 2000;

    private final Vertx vertx;
    private final String bootstrapServers;
    private final AtomicBoolean asking = new AtomicBoolean();
    private volatile boolean reachable = true;
    private Admin admin;
    private long timer = -1;

    public KafkaProbe(Vertx vertx, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.vertx = vertx;
        this.bootstrapServers = bootstrapServers;
    }

    void start(@Observes StartupEvent event) {
        admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "gateway-kafka-probe",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000));
        timer = vertx.setPeriodic(EVERY_MS, t -> ask());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (admin != null) {
            admin.close(java.time.Duration.ZERO);
        }
    }

    private void ask() {
        if (!asking.compareAndSet(false, true)) {
            return;
        }
        admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS)).nodes().whenComplete((nodes, failure) -> {
            boolean up = failure == null && nodes != null && !nodes.isEmpty();
            if (up != reachable) {
                if (up) {
                    Log.info("Kafka answers again");
                } else {
                    Log.warnf("Kafka does not answer (%s): not ready until it does",
                            failure == null ? "no brokers" : failure.getMessage());
                }
            }
            reachable = up;
            asking.set(false);
        });
    }

    /** Whether the last question to the cluster had an answer. */
    public boolean reachable() {
        return reachable;
    }
}
