package dev.switchboard.gateway.fanout;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;

/**
 * Tracks which of the three consumers have joined the gateways' consumer group, and makes sure a
 * partition's starting point survives the gateway that fixed it.
 * <p>
 * A new group starts at the end of each partition ({@code auto.offset.reset=latest}: the gateway
 * delivers live events, it does not replay history). That end is looked up on assignment and, for
 * a partition the group has never committed, committed at once. Without that commit, a gateway
 * killed before its first periodic commit (every 5 s) would leave the partition with no offset:
 * the gateway taking it over would start at the end again and skip every event produced in
 * between — lost for good. With it, the next owner resumes from the committed point and the room
 * log de-duplicates by event id whatever is handled twice.
 */
@ApplicationScoped
@Identifier("gateway-rebalance")
public class KafkaReadiness implements KafkaConsumerRebalanceListener {
    private static final Logger LOG = Logger.getLogger(KafkaReadiness.class);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);

    private final Set<String> joined = ConcurrentHashMap.newKeySet();

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            try {
                commitStart(consumer, partitions);
            } catch (KafkaException e) {
                // The periodic commit follows; until it does, a crash of this gateway could skip events.
                LOG.warnf(e, "Could not commit the starting offsets of %s", partitions);
            }
        }
        consumer.subscription().forEach(joined::add);
    }

    private static void commitStart(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions),
                COMMIT_TIMEOUT);
        Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
        for (TopicPartition partition : partitions) {
            long position = consumer.position(partition, COMMIT_TIMEOUT);
            if (committed.get(partition) == null) {
                start.put(partition, new OffsetAndMetadata(position));
            }
        }
        if (!start.isEmpty()) {
            consumer.commitSync(start, COMMIT_TIMEOUT);
            LOG.debugf("Committed the starting offsets of partitions new to the group: %s", start);
        }
    }

    /** Whether every consumer of the gateway has had its first assignment. */
    public boolean allJoined() {
        return joined.containsAll(Set.of("switchboard.ticket-events", "switchboard.chat-events",
                "switchboard.notification-events"));
    }
}
