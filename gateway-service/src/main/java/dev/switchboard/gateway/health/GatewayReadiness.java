package dev.switchboard.gateway.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.switchboard.gateway.broker.RedisBroker;
import dev.switchboard.gateway.fanout.KafkaReadiness;

/**
 * Ready when this instance receives room events (its Redis pub/sub connection is up) and its
 * Kafka consumers have joined the group, so an event sent from now on reaches its sockets.
 */
@Readiness
@ApplicationScoped
public class GatewayReadiness implements HealthCheck {
    private final RedisBroker broker;
    private final KafkaReadiness kafka;

    public GatewayReadiness(RedisBroker broker, @io.smallrye.common.annotation.Identifier("gateway-rebalance") KafkaReadiness kafka) {
        this.broker = broker;
        this.kafka = kafka;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("gateway")
                .status(broker.connected() && kafka.allJoined())
                .withData("redis-pubsub", broker.connected())
                .withData("kafka-group-joined", kafka.allJoined())
                .build();
    }
}
