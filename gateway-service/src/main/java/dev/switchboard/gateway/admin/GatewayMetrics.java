package dev.switchboard.gateway.admin;

import java.util.function.ToDoubleFunction;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * This instance's figures on {@code /q/metrics} (Prometheus): the same counters as
 * {@code /api/v1/realtime/stats}, as {@code switchboard_gateway_<name>_total}, and the gauges.
 */
@ApplicationScoped
public class GatewayMetrics {
    private final MeterRegistry registry;
    private final InstanceStats stats;
    private volatile ObjectNode snapshot;
    private volatile long snapshotAt;

    public GatewayMetrics(MeterRegistry registry, InstanceStats stats) {
        this.registry = registry;
        this.stats = stats;
    }

    void register(@Observes StartupEvent event) {
        for (String counter : InstanceStats.COUNTERS) {
            if (counter.equals("queued_frames")) {
                continue;
            }
            FunctionCounter.builder("switchboard.gateway." + counter, this, value(counter)).register(registry);
        }
        for (String gauge : new String[] { "connections", "users", "rooms", "queued_frames",
                "sockets_with_full_queue" }) {
            Gauge.builder("switchboard.gateway." + gauge, this, value(gauge)).register(registry);
        }
    }

    private static ToDoubleFunction<GatewayMetrics> value(String field) {
        return m -> m.snapshot().path(field).asDouble();
    }

    /** One figures snapshot per scrape (it walks every session), not one per meter. */
    private ObjectNode snapshot() {
        long now = System.currentTimeMillis();
        ObjectNode s = snapshot;
        if (s == null || now - snapshotAt > 1000) {
            s = stats.local();
            snapshot = s;
            snapshotAt = now;
        }
        return s;
    }
}
