package dev.switchboard.gateway.admin;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * How long an event spends on each hop through this gateway, as histograms on {@code /q/metrics}, so that a
 * latency that grows can be placed: {@code switchboard_gateway_hop_kafka_seconds} (from the Kafka record's
 * timestamp, set when its producer sent it, to this gateway taking it from its poll: the producer, the broker,
 * the consumer and the hand-over to the event loop; across machines it includes their clocks' difference),
 * {@code switchboard_gateway_hop_publish_seconds} (from taking a poll to Redis confirming its room events: the
 * room-log append and publish) and {@code switchboard_gateway_hop_delivery_seconds} (from a room event's arrival
 * from Redis pub/sub to its frame written to the sockets of one event loop: the wait in that loop's queue and
 * the writes; one sample per event and loop). The benchmark reads them per step.
 */
@ApplicationScoped
public class HopTimers {
    private final Timer kafka;
    private final Timer publish;
    private final Timer delivery;

    public HopTimers(MeterRegistry registry) {
        this.kafka = timer(registry, "kafka", "from a Kafka record's timestamp to the gateway taking it from its poll");
        this.publish = timer(registry, "publish", "from taking a poll to Redis confirming its room events");
        this.delivery = timer(registry, "delivery",
                "from a room event's arrival from Redis to its frame written to one event loop's sockets");
    }

    private static Timer timer(MeterRegistry registry, String hop, String description) {
        return Timer.builder("switchboard.gateway.hop." + hop).description(description)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
    }

    /** A record polled now that its producer stamped at {@code timestampMs} (wall clock). */
    public void kafka(long timestampMs, long nowMs) {
        kafka.record(Math.max(0, nowMs - timestampMs), TimeUnit.MILLISECONDS);
    }

    public void publish(long startedNs) {
        publish.record(System.nanoTime() - startedNs, TimeUnit.NANOSECONDS);
    }

    public void delivery(long arrivedNs) {
        delivery.record(System.nanoTime() - arrivedNs, TimeUnit.NANOSECONDS);
    }
}
