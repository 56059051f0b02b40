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
import dev.switchboard.gateway.admin.HopTimers;
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
 * at a time. With {@code switchboard.gateway.batched-publish} (the default) a poll of several records
 * goes to Redis as one pipelined batch in the poll's order, which keeps each aggregate's records in
 * order (Redis runs a connection's commands as written): a write and a reply per poll, however many
 * records and aggregates it holds. (It used to go in rounds, the first record of every aggregate, then
 * the second, ...: a busy single room, all one aggregate, then waited a round trip per record, each
 * reply queued behind the deliveries on its event loop, and its events piled up.) A batch Redis refuses
 * (it restarted and lost the script, or it is away) is published again record by record, with their
 * retries. The batch is acknowledged, and its offsets committed,
 * only once every room event of every record is in its room log: a gateway that dies mid-way has the
 * batch redelivered, and the room log drops what it already has by event id. A record that is not a valid event goes to the
 * channel's dead-letter topic ({@link DeadLetters}) and the rest go on.
 */
@ApplicationScoped
public class EventFanout {
    private final EventRouter router;
    private final RedisBroker broker;
    private final DeadLetters deadLetters;
    private final HopTimers hops;
    private final LongAdder consumed = new LongAdder();

    private final boolean batchedPublish;

    public EventFanout(EventRouter router, RedisBroker broker, DeadLetters deadLetters, HopTimers hops,
            GatewayConfig config) {
        this.router = router;
        this.broker = broker;
        this.deadLetters = deadLetters;
        this.hops = hops;
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
        long startedNs = System.nanoTime();
        long nowMs = System.currentTimeMillis();
        Map<String, List<ConsumerRecord<String, byte[]>>> lanes = new LinkedHashMap<>();
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> record : records) {
            lanes.computeIfAbsent(lane(record), k -> new ArrayList<>()).add(record);
            all.add(record);
            hops.kafka(record.timestamp(), nowMs);
        }
        if (all.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Uni<Void> published = batchedPublish && all.size() > 1 ? inOneBatch(all) : oneByOne(lanes.values());
        return published.invoke(() -> hops.publish(startedNs));
    }

    private static String lane(ConsumerRecord<String, byte[]> record) {
        return record.topic() + "/" + record.partition() + "/" + record.key();
    }

    /** Each lane's records one after the other, each waiting for the one before; the lanes side by side. */
    private Uni<Void> oneByOne(java.util.Collection<List<ConsumerRecord<String, byte[]>>> lanes) {
        List<Uni<Void>> all = new ArrayList<>(lanes.size());
        for (List<ConsumerRecord<String, byte[]>> lane : lanes) {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (ConsumerRecord<String, byte[]> record : lane) {
                chain = chain.chain(() -> handleOrDeadLetter(record));
            }
            all.add(chain);
        }
        return Uni.join().all(all).andFailFast().replaceWithVoid();
    }

    /**
     * The poll's records routed, then published in one pipelined batch in the poll's order (so each
     * aggregate's in order: Redis runs one connection's commands in the order they were written); one that
     * cannot be routed is dead-lettered. If Redis refuses the batch, the routed records are published again
     * one by one, each aggregate's in order; what the batch did append is dropped then by its event id.
     */
    private Uni<Void> inOneBatch(List<ConsumerRecord<String, byte[]>> records) {
        List<Uni<Void>> all = new ArrayList<>();
        Map<String, List<Routed>> routedLanes = new LinkedHashMap<>();
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
            routedLanes.computeIfAbsent(lane(record), k -> new ArrayList<>()).add(r);
            r.routing().controls().forEach(control -> requests.add(broker.publishControlRequest(control)));
            for (RoomEvent e : r.routing().events()) {
                requests.add(broker.publishRoomEventRequest(e.room(), e.type(), e.eventId(), e.payloadJson(),
                        e.indexPayloadJson(), e.messageId(), null));
            }
            roomEvents += r.routing().events().size();
        }
        if (!requests.isEmpty()) {
            all.add(broker.batch(requests, roomEvents).onFailure().recoverWithUni(e -> {
                List<Uni<Void>> each = new ArrayList<>(routedLanes.size());
                for (List<Routed> lane : routedLanes.values()) {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (Routed r : lane) {
                        chain = chain.chain(() -> publish(r));
                    }
                    each.add(chain);
                }
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
