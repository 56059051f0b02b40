package dev.switchboard.notification.consumer;

import java.time.Duration;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.switchboard.messaging.cloudevents.CloudEvent;
import dev.switchboard.notification.service.EventProcessor;
import io.smallrye.mutiny.Uni;

/**
 * The three inputs. A record that cannot be processed fails and goes to its channel's dead-letter
 * topic (application.properties); the records behind it go on.
 */
@ApplicationScoped
public class EventConsumers {
    private final EventProcessor processor;

    EventConsumers(EventProcessor processor) {
        this.processor = processor;
    }

    @Incoming("ticket-events")
    public Uni<Void> ticketEvents(ConsumerRecord<String, byte[]> record) {
        return handle(record, processor::ticketEvent);
    }

    /** A message about a ticket not projected yet waits (up to about a minute) for the ticket event. */
    @Incoming("chat-events")
    public Uni<Void> chatEvents(ConsumerRecord<String, byte[]> record) {
        return handle(record, event -> EventProcessor.notifies(event) ? processor.chatEvent(event)
                : Uni.createFrom().item(false))
                .onFailure(EventProcessor.TicketNotKnownYet.class).retry()
                .withBackOff(Duration.ofMillis(100), Duration.ofSeconds(2)).atMost(40);
    }

    @Incoming("notification-requests")
    public Uni<Void> requests(ConsumerRecord<String, byte[]> record) {
        return handle(record, processor::request);
    }

    private static Uni<Void> handle(ConsumerRecord<String, byte[]> record, Function<CloudEvent, Uni<Boolean>> apply) {
        return Uni.createFrom().item(() -> CloudEvent.fromKafka(record.headers(), record.value()))
                .chain(apply::apply).replaceWithVoid();
    }
}
