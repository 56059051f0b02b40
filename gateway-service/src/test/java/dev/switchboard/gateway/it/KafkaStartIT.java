package dev.switchboard.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import dev.switchboard.testsupport.ServiceProcess;

/**
 * A gateway killed before its first periodic offset commit must not make the next owner of its
 * partitions skip to the end. A new consumer group starts at each partition's end; the gateway
 * commits that starting point when the partition is assigned, before it reports ready, so the
 * group has an offset for every partition from the first moment on.
 */
class KafkaStartIT {
    private static final List<String> TOPICS = List.of("switchboard.ticket-events", "switchboard.chat-events",
            "switchboard.notification-events");

    @Test
    void aNewGroupHasAnOffsetForEveryPartitionAsSoonAsTheGatewayIsReady() throws Exception {
        String group = "gateway-start-" + UUID.randomUUID();
        Map<String, String> extra = new HashMap<>();
        for (String channel : List.of("ticket-events", "chat-events", "notification-events")) {
            extra.put("mp.messaging.incoming." + channel + ".group.id", group);
        }
        Cluster.start();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:29092"))) {
            Map<String, TopicDescription> topics = admin.describeTopics(TOPICS).allTopicNames().get();
            Set<TopicPartition> partitions = topics.values().stream()
                    .flatMap(t -> t.partitions().stream().map(p -> new TopicPartition(t.name(), p.partition())))
                    .collect(Collectors.toSet());
            assertThat(partitions).hasSizeGreaterThanOrEqualTo(TOPICS.size());

            // Ready means every consumer has had its assignment; no event has been sent to this group's
            // gateway, so any offset it has can only be the committed starting point.
            ServiceProcess gateway = Cluster.startGateway(extra);
            try {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                assertThat(committed.keySet()).as("partitions with a committed offset").containsAll(partitions);
                assertThat(committed.values()).allSatisfy(offset -> assertThat(offset.offset()).isNotNegative());
            } finally {
                gateway.kill();
            }
        }
    }
}
