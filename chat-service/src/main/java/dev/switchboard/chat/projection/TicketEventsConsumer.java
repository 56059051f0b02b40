package dev.switchboard.chat.projection;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.switchboard.messaging.cloudevents.CloudEvent;
import io.smallrye.mutiny.Uni;

/**
 * Reads switchboard.ticket-events into the projection. A record that cannot be applied fails, and
 * the connector's dead-letter strategy moves it to switchboard.chat-service.ticket-events.dlq so the
 * records behind it go on (see application.properties).
 */
@ApplicationScoped
public class TicketEventsConsumer {
    private final TicketProjector projector;

    TicketEventsConsumer(TicketProjector projector) {
        this.projector = projector;
    }

    @Incoming("ticket-events")
    public Uni<Void> consume(ConsumerRecord<String, byte[]> record) {
        return Uni.createFrom().item(() -> CloudEvent.fromKafka(record.headers(), record.value()))
                .chain(event -> event.type().startsWith("switchboard.ticket.") ? projector.apply(event).replaceWithVoid()
                        : Uni.createFrom().voidItem());
    }
}
