package dev.switchboard.gateway.fanout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.switchboard.deadletters.DeadLetters;
import dev.switchboard.gateway.admin.HopTimers;
import dev.switchboard.gateway.broker.RedisBroker;
import dev.switchboard.gateway.config.GatewayConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Request;

/**
 * Consumes the services' event topics (one consumer group shared by all gateway instances, so each
 * event is handled by one of them) and publishes each as room events through Redis, which reaches
 * the members on every instance. Records come in batches (one per poll). With
 * {@code switchboard.gateway.batched-publish} (the default) a poll's records go to Redis as one pipelined
 * batch in the poll's order, on a connection each topic's consumer has to itself ({@link PublishPipeline}):
 * the next poll's batch is written before the answer to this one has come, up to
 * {@code publish-pipeline-depth} polls at once, and Redis runs one connection's commands as written, so each
 * aggregate's (Kafka key's) records stay in order. (It used to wait for each poll's answer before taking the
 * next poll: at its limit the consumer waited a round trip per poll, that answer queued behind the deliveries on
 * its event loop, and the records piled up in the consumer.) A batch Redis refuses (it is away, or a command timed
 * out) is published again record by record, with their retries, before any later batch settles. A poll is
 * acknowledged, and its offsets committed, only once every room event of every record is in its room log: a
 * gateway that dies mid-way has the poll redelivered, and the room log drops what it already has by event id.
 * Without the batched publish, the records of one aggregate are published one after the other and different
 * aggregates at the same time, and the next poll waits for this one. A record that is not a valid event goes to
 * the channel's dead-letter topic ({@link DeadLetters}) and the rest go on.
 */
@ApplicationScoped
public class EventFanout {
    private final EventRouter router;
    private final RedisBroker broker;
    private final DeadLetters deadLetters;
    private final HopTimers hops;
    private final LongAdder consumed = new LongAdder();

    private final boolean batchedPublish;
    private final PublishPipeline ticketPipeline;
    private final PublishPipeline chatPipeline;
    private final PublishPipeline notificationPipeline;

    public EventFanout(EventRouter router, RedisBroker broker, DeadLetters deadLetters, HopTimers hops,
            GatewayConfig config, Vertx vertx) {
        this.router = router;
        this.broker = broker;
        this.deadLetters = deadLetters;
        this.hops = hops;
        this.batchedPublish = config.batchedPublish();
        int depth = config.publishPipelineDepth();
        this.ticketPipeline = new PublishPipeline("ticket-events", broker, vertx, depth);
        this.chatPipeline = new PublishPipeline("chat-events", broker, vertx, depth);
        this.notificationPipeline = new PublishPipeline("notification-events", broker, vertx, depth);
    }

    void stop(@Observes ShutdownEvent event) {
        ticketPipeline.close();
        chatPipeline.close();
        notificationPipeline.close();
    }

    @Incoming("ticket-events")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public Uni<Void> ticketEvents(KafkaRecordBatch<String, byte[]> batch) {
        return handleAll(ticketPipeline, batch);
    }

    @Incoming("chat-events")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public Uni<Void> chatEvents(KafkaRecordBatch<String, byte[]> batch) {
        return handleAll(chatPipeline, batch);
    }

    @Incoming("notification-events")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public Uni<Void> notificationEvents(KafkaRecordBatch<String, byte[]> batch) {
        return handleAll(notificationPipeline, batch);
    }

    /**
     * One poll: acknowledged (its offsets committed in time) once every room event of every record is in its room
     * log. The returned Uni lets the channel hand over its next poll: with the batched publish, as soon as the
     * pipeline has room for it ({@link PublishPipeline}); without, once this poll is done.
     */
    @SuppressWarnings("unchecked")
    private Uni<Void> handleAll(PublishPipeline pipeline, KafkaRecordBatch<String, byte[]> batch) {
        ConsumerRecords<String, byte[]> records = batch.getMetadata(IncomingKafkaRecordBatchMetadata.class)
                .map(m -> (ConsumerRecords<String, byte[]>) m.getRecords())
                .orElseThrow(() -> new IllegalStateException("a Kafka batch without its records"));
        long startedNs = System.nanoTime();
        long nowMs = System.currentTimeMillis();
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> record : records) {
            all.add(record);
            hops.kafka(record.timestamp(), nowMs);
        }
        if (!batchedPublish) {
            Map<String, List<ConsumerRecord<String, byte[]>>> lanes = new LinkedHashMap<>();
            for (ConsumerRecord<String, byte[]> record : all) {
                lanes.computeIfAbsent(lane(record), k -> new ArrayList<>()).add(record);
            }
            return oneByOne(lanes.values()).invoke(() -> hops.publish(startedNs))
                    .chain(() -> Uni.createFrom().completionStage(batch.ack()));
        }
        CompletableFuture<Void> settled = new CompletableFuture<>();
        // The poll is done when its dead letters are sent and its batch has settled.
        List<Uni<Void>> done = new ArrayList<>();
        Uni<Void> admitted = inPipeline(pipeline, all, done, settled);
        done.add(Uni.createFrom().completionStage(settled));
        Uni.join().all(done).andFailFast().subscribe().with(
                v -> {
                    hops.publish(startedNs);
                    batch.ack();
                },
                e -> {
                    Log.errorf(e, "a poll of %d records could not be handled", all.size());
                    batch.nack(e);
                });
        return admitted;
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
     * The poll's records routed and handed to the channel's pipeline as one batch, in the poll's order (so each
     * aggregate's in order: Redis runs one connection's commands in the order they were written); one that cannot be
     * routed is dead-lettered (its Uni added to {@code deadLettered}). If Redis refuses the batch, the routed records
     * are published again one by one, each aggregate's in order; what the batch did append is dropped then by its
     * event id.
     */
    private Uni<Void> inPipeline(PublishPipeline pipeline, List<ConsumerRecord<String, byte[]>> records,
            List<Uni<Void>> deadLettered, CompletableFuture<Void> settled) {
        Map<String, List<Routed>> routedLanes = new LinkedHashMap<>();
        List<Request> requests = new ArrayList<>();
        int roomEvents = 0;
        for (ConsumerRecord<String, byte[]> record : records) {
            Routed r;
            try {
                r = route(record);
            } catch (IllegalArgumentException e) {
                deadLettered.add(deadLetter(record, e));
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
        if (requests.isEmpty()) {
            settled.complete(null);
            return Uni.createFrom().voidItem();
        }
        return pipeline.submit(requests, roomEvents, () -> {
            List<Uni<Void>> each = new ArrayList<>(routedLanes.size());
            for (List<Routed> lane : routedLanes.values()) {
                Uni<Void> chain = Uni.createFrom().voidItem();
                for (Routed r : lane) {
                    chain = chain.chain(() -> publish(r));
                }
                each.add(chain);
            }
            return Uni.join().all(each).andFailFast().replaceWithVoid();
        }, settled);
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
