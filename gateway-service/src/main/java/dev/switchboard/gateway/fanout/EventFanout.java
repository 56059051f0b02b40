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
import dev.switchboard.gateway.config.GatewayConfig;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.redis.client.Request;

/**
 * Consumes the services' event topics (one consumer group shared by all gateway instances, so each
 * event is handled by one of them) and publishes each as room events through Redis, which reaches
 * the members on every instance. Records come in batches (one per poll): the records of one
 * aggregate (Kafka key) are published one after the other, in order, and different aggregates at
 * the same time — one Redis round trip per record was the limit of a consumer that took one record
 * at a time. With {@code switchboard.gateway.batched-publish} (the default) a poll goes to Redis in
 * rounds: the first record of every aggregate in one pipelined batch, then the second of those that
 * have one, and so on, so a poll of many aggregates costs a write and a reply per round rather than
 * per record; a round Redis refuses (it restarted and lost the script, or it is away) is published
 * again record by record, with their retries. The batch is acknowledged, and its offsets committed,
 * only once every room event of every record is in its room log: a gateway that dies mid-way has the
 * batch redelivered, and the room log drops what it already has by event id. A record that is not a valid event goes to the
 * channel's dead-letter topic ({@link DeadLetters}) and the rest go on.
 */
@ApplicationScoped
public class EventFanout {
    private final EventRouter router;
    private final RedisBroker broker;
    private final DeadLetters deadLetters;
    private final LongAdder consumed = new LongAdder();

    private final boolean batchedPublish;

    public EventFanout(EventRouter router, RedisBroker broker, DeadLetters deadLetters, GatewayConfig config) {
        this.router = router;
        this.broker = broker;
        this.deadLetters = deadLetters;
        this.batchedPublish = config.batchedPublish();
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
        if (batchedPublish && lanes.size() > 1) {
            return inRounds(new ArrayList<>(lanes.values()));
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

    /** The lanes' records in rounds: every lane's first record in one batch, then every second one, ... */
    private Uni<Void> inRounds(List<List<ConsumerRecord<String, byte[]>>> lanes) {
        int rounds = 0;
        for (List<ConsumerRecord<String, byte[]>> lane : lanes) {
            rounds = Math.max(rounds, lane.size());
        }
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int i = 0; i < rounds; i++) {
            List<ConsumerRecord<String, byte[]>> round = new ArrayList<>(lanes.size());
            for (List<ConsumerRecord<String, byte[]>> lane : lanes) {
                if (i < lane.size()) {
                    round.add(lane.get(i));
                }
            }
            chain = chain.chain(() -> round(round));
        }
        return chain;
    }

    /** Records of different aggregates: routed, then published in one batch; one that cannot be routed is dead-lettered. */
    private Uni<Void> round(List<ConsumerRecord<String, byte[]>> records) {
        if (records.size() == 1) {
            return handleOrDeadLetter(records.get(0));
        }
        List<Uni<Void>> all = new ArrayList<>();
        List<Routed> routed = new ArrayList<>(records.size());
        List<Request> requests = new ArrayList<>();
        int roomEvents = 0;
        for (ConsumerRecord<String, byte[]> record : records) {
            Routed r;
            try {
                r = route(record);
            } catch (IllegalArgumentException e) {
                all.add(deadLetter(record, e));
                continue;
            }
            routed.add(r);
            r.routing().controls().forEach(control -> requests.add(broker.publishControlRequest(control)));
            for (RoomEvent e : r.routing().events()) {
                requests.add(broker.publishRoomEventRequest(e.room(), e.type(), e.eventId(), e.payloadJson(),
                        e.indexPayloadJson(), e.messageId(), null));
            }
            roomEvents += r.routing().events().size();
        }
        if (!requests.isEmpty()) {
            all.add(broker.batch(requests, roomEvents).onFailure().recoverWithUni(e -> {
                List<Uni<Void>> each = new ArrayList<>(routed.size());
                routed.forEach(r -> each.add(publish(r)));
                return Uni.join().all(each).andFailFast().replaceWithVoid();
            }));
        }
        return all.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(all).andFailFast().replaceWithVoid();
    }

    /** Publishing retries until Redis takes it; whatever else fails is the record's fault: dead-lettered. */
    private Uni<Void> handleOrDeadLetter(ConsumerRecord<String, byte[]> record) {
        return Uni.createFrom().deferred(() -> handle(record)).onFailure().recoverWithUni(e -> deadLetter(record, e));
    }

    private Uni<Void> deadLetter(ConsumerRecord<String, byte[]> record, Throwable e) {
        return deadLetters.send(record, e)
                .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5)).indefinitely();
    }

    private record Routed(String ceId, EventRouter.Routing routing) {
    }

    /** @throws IllegalArgumentException when the record is not an event the gateway can read */
    private Routed route(ConsumerRecord<String, byte[]> record) {
        String ceId = header(record.headers(), "ce_id");
        String ceType = header(record.headers(), "ce_type");
        if (ceId == null || ceType == null || record.value() == null) {
            throw new IllegalArgumentException("not a CloudEvent (ce_id, ce_type and data are required) at "
                    + record.topic() + "/" + record.partition() + "@" + record.offset());
        }
        EventRouter.Routing routing = router.route(ceId, ceType, new String(record.value(), StandardCharsets.UTF_8));
        consumed.increment();
        return new Routed(ceId, routing);
    }

    Uni<Void> handle(ConsumerRecord<String, byte[]> record) {
        Routed routed;
        try {
            routed = route(record);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(e);
        }
        return publish(routed);
    }

    private Uni<Void> publish(Routed routed) {
        String ceId = routed.ceId();
        EventRouter.Routing routing = routed.routing();
        Uni<Void> controls = Multi.createFrom().iterable(routing.controls())
                .onItem().transformToUniAndConcatenate(broker::publishControl).collect().last().replaceWithVoid();
        Uni<Void> events = Multi.createFrom().iterable(routing.events())
                .onItem().transformToUniAndConcatenate(e -> broker.publishRoomEvent(e.room(), e.type(), e.eventId(),
                        e.payloadJson(), e.indexPayloadJson(), e.messageId(), null))
                .collect().last().replaceWithVoid();
        // Redis being down is not the record's fault: keep retrying (the partition waits) rather than dead-letter it.
        // A command that gets no answer fails after RedisCommands.TIMEOUT and is retried too, rather than holding
        // the partition for ever; a repeat is dropped by the room log's event id.
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
