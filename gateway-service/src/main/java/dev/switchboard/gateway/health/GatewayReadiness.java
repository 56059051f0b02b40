package dev.switchboard.gateway.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.switchboard.gateway.Drain;
import dev.switchboard.gateway.broker.RedisBroker;
import dev.switchboard.gateway.fanout.KafkaProbe;
import dev.switchboard.gateway.fanout.KafkaReadiness;
import io.smallrye.common.annotation.Identifier;

/**
 * Ready when this instance receives room events (its Redis pub/sub connection is up) and its
 * Kafka consumers have joined the group and the cluster answers, so an event sent from now on reaches its sockets; not
 * ready while it drains on shutdown. Redis or Kafka being down makes the instance not ready, never
 * stops it: its open sockets go on being served (pings, what needs neither) and it catches up when
 * they are back.
 */
@Readiness
@ApplicationScoped
public class GatewayReadiness implements HealthCheck {
    private final RedisBroker broker;
    private final KafkaReadiness kafka;
    private final KafkaProbe probe;
    private final Drain drain;

    public GatewayReadiness(RedisBroker broker, @Identifier("gateway-rebalance") KafkaReadiness kafka, KafkaProbe probe,
            Drain drain) {
        this.broker = broker;
        this.kafka = kafka;
        this.probe = probe;
        this.drain = drain;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("gateway")
                .status(broker.connected() && kafka.allJoined() && probe.reachable() && !drain.draining())
                .withData("redis-pubsub", broker.connected())
                .withData("kafka-group-joined", kafka.allJoined())
                .withData("kafka-reachable", probe.reachable())
                .withData("draining", drain.draining())
                .build();
    }
}
