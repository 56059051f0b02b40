package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

class GatewayHopsTest {

    private static String metrics(int upTo1ms, int upTo2ms, int upTo100ms, int total) {
        return """
                # HELP switchboard_gateway_hop_kafka_seconds from a Kafka record's timestamp to the gateway taking it
                # TYPE switchboard_gateway_hop_kafka_seconds histogram
                switchboard_gateway_hop_kafka_seconds_bucket{le="0.001"} %d
                switchboard_gateway_hop_kafka_seconds_bucket{le="0.002"} %d
                switchboard_gateway_hop_kafka_seconds_bucket{le="0.1"} %d
                switchboard_gateway_hop_kafka_seconds_bucket{le="+Inf"} %d
                switchboard_gateway_hop_kafka_seconds_count %d
                switchboard_gateway_hop_kafka_seconds_sum 1.5
                switchboard_gateway_messages_out_total 12.0
                """.formatted(upTo1ms, upTo2ms, upTo100ms, total, total);
    }

    @Test
    void aStepsPercentilesComeFromItsOwnCountsPerBucket() {
        GatewayHops.Snapshot before = GatewayHops.parse(metrics(1000, 1000, 1000, 1000));
        // 100 events in the step: 60 within 1 ms, 39 more within 2 ms, 1 within 100 ms
        GatewayHops.Snapshot after = GatewayHops.parse(metrics(1060, 1099, 1100, 1100));
        JsonNode kafka = GatewayHops.between(before, after).path("kafka");
        assertThat(kafka.path("count").asLong()).isEqualTo(100);
        assertThat(kafka.path("p50_ms").asDouble()).isEqualTo(1.0);
        assertThat(kafka.path("p99_ms").asDouble()).isEqualTo(2.0);
        assertThat(kafka.has("p99_over")).isFalse();
    }

    @Test
    void aPercentileBeyondTheLastBoundIsMarked() {
        GatewayHops.Snapshot before = GatewayHops.parse(metrics(0, 0, 0, 0));
        GatewayHops.Snapshot after = GatewayHops.parse(metrics(50, 50, 50, 100));
        JsonNode kafka = GatewayHops.between(before, after).path("kafka");
        assertThat(kafka.path("p50_ms").asDouble()).isEqualTo(1.0);
        assertThat(kafka.path("p99_ms").asDouble()).isEqualTo(100.0);
        assertThat(kafka.path("p99_over").asBoolean()).isTrue();
    }

    @Test
    void aHopWithNoEventsInTheStepHasACountOfZeroAndAGatewayWithoutHistogramsNoHops() {
        GatewayHops.Snapshot same = GatewayHops.parse(metrics(5, 5, 5, 5));
        JsonNode kafka = GatewayHops.between(same, same).path("kafka");
        assertThat(kafka.path("count").asLong()).isZero();
        assertThat(kafka.has("p50_ms")).isFalse();
        assertThat(GatewayHops.between(same, GatewayHops.parse("")).size()).isZero();
    }
}
