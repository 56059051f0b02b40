package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Every benchmark scenario, at tiny sizes for a few seconds each, against the real stack and
 * services, so the benchmark cannot rot: each runs, writes its figures and chart, and what must
 * hold at any size holds (nothing lost, no gap, no duplicate). No figure is asserted against a
 * time: performance is reported by the benchmark, not tested.
 */
class BenchSmokeIT {
    private static Env env;

    @BeforeAll
    static void start() {
        env = new Env(2, "256m");
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    private static JsonNode run(String scenario, Map<String, String> params) throws Exception {
        Report report = Bench.run(env, scenario, Params.of(params));
        var json = report.write(Paths.get("target", "bench-smoke"), scenario);
        assertThat(Files.readString(json)).contains("\"scenario\" : \"" + scenario + "\"");
        assertThat(Files.exists(Paths.get(json.toString().replace(".json", ".html")))).isTrue();
        return report.figures;
    }

    @Test
    void fanout() throws Exception {
        JsonNode f = run("fanout", Map.of("shapes", "2x3", "paths", "emit,kafka,baseline", "rates", "30,60",
                "step-seconds", "1", "fixed-rate", "60", "users", "3", "warmup-seconds", "1"));
        JsonNode shape = f.path("runs").get(0);
        for (String path : new String[] { "emit", "kafka", "baseline" }) {
            JsonNode first = shape.path(path).path("steps").get(0);
            assertThat(first.path("expected").asLong()).as(path).isPositive();
            assertThat(first.path("received").asLong()).as(path).isEqualTo(first.path("expected").asLong());
            assertThat(first.path("lost").asLong()).as(path).isZero();
            assertThat(first.path("p99_ms").isNumber()).as(path).isTrue();
        }
        // Each gateway step says how long its events spent on each hop: the emit path's deliveries, and the Kafka
        // path's way in (the producer's acks, the broker to the gateway's poll, Redis) as well.
        JsonNode emitStep = shape.path("emit").path("steps").get(0);
        assertThat(emitStep.path("hops").path("delivery").path("count").asLong())
                .isGreaterThanOrEqualTo(emitStep.path("events").asLong());
        assertThat(emitStep.path("hops").path("delivery").path("p99_ms").isNumber()).isTrue();
        JsonNode kafkaStep = shape.path("kafka").path("steps").get(0);
        for (String hop : new String[] { "kafka", "publish", "delivery" }) {
            assertThat(kafkaStep.path("hops").path(hop).path("count").asLong()).as(hop)
                    .isGreaterThanOrEqualTo(kafkaStep.path("events").asLong());
            assertThat(kafkaStep.path("hops").path(hop).path("p50_ms").isNumber()).as(hop).isTrue();
        }
        assertThat(kafkaStep.path("hops").path("producer_ack").path("count").asLong())
                .isEqualTo(kafkaStep.path("events").asLong());
        assertThat(shape.path("baseline").path("steps").get(0).has("hops")).isFalse();
        assertThat(shape.path("emit").has("capacity_vs_baseline")).isTrue();
        // Every consumer of the topic took the Kafka path's events (notification-service too, which once dead-lettered them).
        assertThat(shape.path("kafka").path("dead_lettered").isNumber()).isTrue();
        assertThat(shape.path("kafka").path("dead_lettered").asLong()).isZero();
    }

    @Test
    void chat() throws Exception {
        JsonNode f = run("chat", Map.of("users", "4", "tickets", "2", "rates", "5", "seconds", "2", "warmup-seconds", "1"));
        JsonNode step = f.path("steps").get(0);
        assertThat(step.path("send_errors").asLong()).isZero();
        assertThat(step.path("expected_receipts").asLong()).isEqualTo(10);
        assertThat(step.path("received").asLong()).isEqualTo(10);
        // every send's ack is timed apart from its receipts (5 msg/s for 2 s)
        assertThat(step.path("send_to_ack").path("count").asLong()).isEqualTo(10);
        // and the way back through the gateway, hop by hop: each message's event from the outbox relay's send on
        assertThat(step.path("hops").path("kafka").path("count").asLong()).isGreaterThanOrEqualTo(10);
        assertThat(step.path("hops").path("delivery").path("count").asLong()).isGreaterThanOrEqualTo(10);
        // when the step began, to line it up with the GC logs; and each JVM's JIT compilers' share of a core meanwhile
        assertThat(java.time.Instant.parse(step.path("started_at").asText())).isBefore(java.time.Instant.now());
        for (String jvm : new String[] { "gateway", "chat-service", "notification-service", "ticket-service", "kafka",
            "generator" }) {
            assertThat(step.path("jit_cpu_pct").path(jvm).isNumber()).as(jvm).isTrue();
            assertThat(step.path("jit_cpu_pct").path(jvm).asDouble()).as(jvm).isBetween(0.0, 200.0);
        }
    }

    @Test
    void idle() throws Exception {
        JsonNode f = run("idle", Map.of("connections", "60", "sources", "2", "users", "5", "concurrency", "20"));
        assertThat(f.path("open_on_gateway").asInt()).isGreaterThanOrEqualTo(60);
        assertThat(f.path("rss_per_connection_kb").isNumber()).isTrue();
    }

    @Test
    void churn() throws Exception {
        JsonNode f = run("churn", Map.of("clients", "3", "seconds", "2", "tickets", "1"));
        assertThat(f.path("cycles").asLong()).isPositive();
        assertThat(f.path("errors").asLong()).isZero();
        assertThat(f.path("no_connection_left_afterwards").asBoolean()).isTrue();
    }

    @Test
    void recovery() throws Exception {
        JsonNode f = run("recovery", Map.of("clients", "6", "rooms", "2", "seconds", "4", "rate", "40",
                "drop-every-ms", "300", "max-down-ms", "300"));
        assertThat(f.path("reconnects").asLong()).isPositive();
        assertThat(f.path("all_caught_up").asBoolean()).isTrue();
        assertThat(f.path("gaps").asLong()).isZero();
        assertThat(f.path("duplicates").asLong()).isZero();
    }
}
