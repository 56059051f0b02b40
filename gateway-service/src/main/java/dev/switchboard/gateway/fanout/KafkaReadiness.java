package dev.switchboard.gateway.fanout;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;

/**
 * Tracks which of the three consumers have joined the gateways' consumer group. On an assignment
 * the consumer's positions are looked up at once, so a new group's "latest" is fixed before the
 * instance reports ready and no event sent after readiness is skipped.
 */
@ApplicationScoped
@Identifier("gateway-rebalance")
public class KafkaReadiness implements KafkaConsumerRebalanceListener {
    private final Set<String> joined = ConcurrentHashMap.newKeySet();

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            consumer.position(partition);
        }
        consumer.subscription().forEach(joined::add);
    }

    /** Whether every consumer of the gateway has had its first assignment. */
    public boolean allJoined() {
        return joined.containsAll(Set.of("switchboard.ticket-events", "switchboard.chat-events",
                "switchboard.notification-events"));
    }
}
