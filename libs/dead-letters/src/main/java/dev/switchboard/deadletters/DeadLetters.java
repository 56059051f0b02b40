package dev.switchboard.deadletters;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Sends a record a service cannot handle (not a CloudEvent, data it cannot apply) to its channel's
 * dead-letter topic — the one configured as
 * {@code mp.messaging.incoming.<channel>.dead-letter-queue.topic} — with SmallRye's
 * {@code dead-letter-*} headers, and completes once Kafka has it, so the record's offset is
 * committed only after it is kept there. For channels that take batches: SmallRye's own
 * dead-letter strategy would send a whole batch for one bad record.
 */
@ApplicationScoped
public class DeadLetters {
    private static final Pattern CHANNEL_TOPIC = Pattern.compile("mp\\.messaging\\.incoming\\.([^.]+)\\.topic");

    private final Map<String, String> deadLetterTopicOf = new HashMap<>();
    private final String bootstrapServers;
    private final String clientId;
    private volatile KafkaProducer<String, byte[]> producer;

    public DeadLetters(Config config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            @ConfigProperty(name = "quarkus.application.name", defaultValue = "switchboard") String application) {
        this.bootstrapServers = bootstrapServers;
        this.clientId = application + "-dead-letters";
        for (String name : config.getPropertyNames()) {
            Matcher m = CHANNEL_TOPIC.matcher(name);
            if (m.matches()) {
                String prefix = "mp.messaging.incoming." + m.group(1) + ".";
                config.getOptionalValue(name, String.class).ifPresent(topic -> deadLetterTopicOf.put(topic,
                        config.getOptionalValue(prefix + "dead-letter-queue.topic", String.class)
                                .orElse("dead-letter-topic-" + m.group(1))));
            }
        }
    }

    /** The record, to its dead-letter topic; the Uni completes when Kafka acknowledged it. */
    public Uni<Void> send(ConsumerRecord<String, byte[]> record, Throwable reason) {
        String topic = deadLetterTopicOf.getOrDefault(record.topic(), record.topic() + ".dlq");
        Log.errorf("record %s/%d@%d cannot be handled (%s); sent to %s", record.topic(), record.partition(),
                record.offset(), reason.getMessage(), topic);
        ProducerRecord<String, byte[]> dead = new ProducerRecord<>(topic, null, record.key(), record.value(),
                new RecordHeaders(record.headers().toArray()));
        dead.headers().add("dead-letter-reason", bytes(String.valueOf(reason.getMessage())));
        dead.headers().add("dead-letter-cause", bytes(reason.getClass().getName()));
        dead.headers().add("dead-letter-topic", bytes(record.topic()));
        dead.headers().add("dead-letter-partition", bytes(String.valueOf(record.partition())));
        dead.headers().add("dead-letter-offset", bytes(String.valueOf(record.offset())));
        return Uni.createFrom().emitter(em -> {
            // Completes where it was asked (the consumer's Vert.x context), not on the producer's I/O thread: what the
            // caller does next (the next record of a poll, a Hibernate Reactive session) needs that context, and must
            // not hold up the producer. Before, the record after a dead-lettered one failed with "No current Vertx
            // context found" and was dead-lettered too.
            Context context = Vertx.currentContext();
            producer().send(dead, (metadata, failure) -> {
                Runnable done = () -> {
                    if (failure != null) {
                        em.fail(failure);
                    } else {
                        em.complete(null);
                    }
                };
                if (context != null) {
                    context.runOnContext(v -> done.run());
                } else {
                    done.run();
                }
            });
        });
    }

    private KafkaProducer<String, byte[]> producer() {
        KafkaProducer<String, byte[]> p = producer;
        if (p == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                            ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                            ProducerConfig.CLIENT_ID_CONFIG, clientId),
                            new StringSerializer(), new ByteArraySerializer());
                }
                p = producer;
            }
        }
        return p;
    }

    void stop(@Observes ShutdownEvent event) {
        KafkaProducer<String, byte[]> p = producer;
        if (p != null) {
            p.close(java.time.Duration.ofSeconds(5));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
