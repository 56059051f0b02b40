package dev.switchboard.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.switchboard.testsupport.LocalStackResource;
import dev.switchboard.testsupport.ServiceChecks;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The gateway starts against the real local stack: Redis and Kafka reachable, ready. */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class GatewayServiceReadinessTest {
    @Inject
    ReactiveRedisDataSource redis;

    @Test
    void readyWithRedisAndKafka() {
        // The gateway is ready once its Kafka consumers have joined their group, shortly after start.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> ServiceChecks.assertReady("Redis", "Reactive Messaging", "gateway"));
        // The gateway's own Kafka probe (Quarkus' Kafka check is off: it blocks while the broker is away).
        io.restassured.RestAssured.given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'gateway' }.data.'kafka-reachable'", org.hamcrest.Matchers.is(true));
    }

    /** REST requests go through the token memory; WebSocket connections verify with a parser of their own. */
    @Test
    void theRestApiRemembersVerifiedTokens() {
        assertThat(io.quarkus.arc.Arc.container().instance(io.smallrye.jwt.auth.principal.JWTParser.class).get())
                .isInstanceOf(dev.switchboard.jwt.VerifiedTokenCache.class);
    }

    @Test
    void reachesRedis() {
        String key = "switchboard:test:" + System.nanoTime();
        redis.value(String.class).set(key, "up").await().atMost(Duration.ofSeconds(10));
        assertThat(redis.value(String.class).get(key).await().atMost(Duration.ofSeconds(10))).isEqualTo("up");
        redis.key().del(key).await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void servesMetricsAndOpenApi() {
        ServiceChecks.assertMetricsAndOpenApi("Switchboard gateway-service");
    }
}
