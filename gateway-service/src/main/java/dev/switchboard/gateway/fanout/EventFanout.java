package dev.switchboard.gateway.fanout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.switchboard.gateway.broker.RedisBroker;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Consumes the services' event topics (one consumer group shared by all gateway instances, so each
 * event is handled by one of them) and publishes each as room events through Redis, which reaches
 * the members on every instance. The record is acknowledged, and its offset committed, only once
 * every room event is in its room log: a gateway that dies mid-way has the record redelivered, and
 * the room log drops what it already has by event id.
 */
@ApplicationScoped
public class EventFanout {
    private final EventRouter router;
    private final RedisBroker broker;
    private final LongAdder consumed = new LongAdder();

    public EventFanout(EventRouter router, RedisBroker broker) {
        this.router = router;
        this.broker = broker;
    }

    @Incoming("ticket-events")
    public Uni<Void> ticketEvents(ConsumerRecord<String, byte[]> record) {
        return handle(record);
    }

    @Incoming("chat-events")
    public Uni<Void> chatEvents(ConsumerRecord<String, byte[]> record) {
        return handle(record);
    }

    @Incoming("notification-events")
    public Uni<Void> notificationEvents(ConsumerRecord<String, byte[]> record) {
        return handle(record);
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
