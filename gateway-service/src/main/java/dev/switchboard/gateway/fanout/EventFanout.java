package dev.switchboard.gateway.fanout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.switchboard.deadletters.DeadLetters;
import dev.switchboard.gateway.broker.RedisBroker;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Consumes the services' event topics (one consumer group shared by all gateway instances, so each
 * event is handled by one of them) and publishes each as room events through Redis, which reaches
 * the members on every instance. Records come in batches (one per poll): the records of one
 * aggregate (Kafka key) are published one after the other, in order, and different aggregates at
 * the same time — one Redis round trip per record was the limit of a consumer that took one record
 * at a time. The batch is acknowledged, and its offsets committed, only once every room event of
 * every record is in its room log: a gateway that dies mid-way has the batch redelivered, and the
 * room log drops what it already has by event id. A record that is not a valid event goes to the
 * channel's dead-letter topic ({@link DeadLetters}) and the rest go on.
 */
@ApplicationScoped
public class EventFanout {
    private final EventRouter router;
    private final RedisBroker broker;
    private final DeadLetters deadLetters;
    private final LongAdder consumed = new LongAdder();

    public EventFanout(EventRouter router, RedisBroker broker, DeadLetters deadLetters) {
        this.router = router;
        this.broker = broker;
        this.deadLetters = deadLetters;
    }

    @Incoming("ticket-events")
    public Uni<Void> ticketEvents(ConsumerRecords<String, byte[]> records) {
        return handleAll(records);
    }

    @Incoming("chat-events")
    public Uni<Void> chatEvents(ConsumerRecords<String, byte[]> records) {
        return handleAll(records);
    }

    @Incoming("notification-events")
    public Uni<Void> notificationEvents(ConsumerRecords<String, byte[]> records) {
        return handleAll(records);
    }

    /** One poll's records: in order per aggregate, aggregates side by side; done when every record is. */
    Uni<Void> handleAll(ConsumerRecords<String, byte[]> records) {
        Map<String, List<ConsumerRecord<String, byte[]>>> lanes = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            lanes.computeIfAbsent(record.topic() + "/" + record.partition() + "/" + record.key(), k -> new ArrayList<>())
                    .add(record);
        }
        if (lanes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> all = new ArrayList<>(lanes.size());
        for (List<ConsumerRecord<String, byte[]>> lane : lanes.values()) {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (ConsumerRecord<String, byte[]> record : lane) {
                chain = chain.chain(() -> handleOrDeadLetter(record));
            }
            all.add(chain);
        }
        return Uni.join().all(all).andFailFast().replaceWithVoid();
    }

    /** Publishing retries until Redis takes it; whatever else fails is the record's fault: dead-lettered. */
    private Uni<Void> handleOrDeadLetter(ConsumerRecord<String, byte[]> record) {
        return Uni.createFrom().deferred(() -> handle(record))
                .onFailure().recoverWithUni(e -> deadLetters.send(record, e)
                        .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5)).indefinitely());
    }

    Uni<Void> handle(ConsumerRecord<String, byte[]> record) {
        String ceId = header(record.headers(), "ce_id");
        String ceType = header(record.headers(), "ce_type");
        if (ceId == null || ceType == null || record.value() == null) {
            return Uni.createFrom().failure(new IllegalArgumentException(
                    "not a CloudEvent (ce_id, ce_type and data are required) at " + record.topic() + "/"
                            + record.partition() + "@" + record.offset()));
        }
        EventRouter.Routing routing;
        try {
            routing = router.route(ceId, ceType, new String(record.value(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(e);
        }
        consumed.increment();
        Uni<Void> controls = Multi.createFrom().iterable(routing.controls())
                .onItem().transformToUniAndConcatenate(broker::publishControl).collect().last().replaceWithVoid();
        Uni<Void> events = Multi.createFrom().iterable(routing.events())
                .onItem().transformToUniAndConcatenate(e -> broker.publishRoomEvent(e.room(), e.type(), e.eventId(),
                        e.payloadJson(), e.indexPayloadJson(), e.messageId(), null))
                .collect().last().replaceWithVoid();
        // Redis being down is not the record's fault: keep retrying (the partition waits) rather than dead-letter it.
        return controls.chain(() -> events)
                .onFailure().invoke(e -> Log.warnf("event %s not published yet (%s); retrying", ceId, e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5)).indefinitely();
    }

    public long consumed() {
        return consumed.sum();
    }

    private static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
