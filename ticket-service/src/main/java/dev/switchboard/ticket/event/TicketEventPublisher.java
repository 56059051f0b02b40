package dev.switchboard.ticket.event;

import jakarta.enterprise.context.ApplicationScoped;

import dev.switchboard.messaging.outbox.EventOutbox;
import io.smallrye.mutiny.Uni;

/** Writes ticket events into the outbox, in the caller's transaction, keyed by ticket id. */
@ApplicationScoped
public class TicketEventPublisher {
    private final EventOutbox outbox;

    TicketEventPublisher(EventOutbox outbox) {
        this.outbox = outbox;
    }

    public Uni<Void> publish(TicketEvent event) {
        return outbox.publish(TicketEvent.TOPIC, TicketEvent.SOURCE, TicketEvent.AGGREGATE, event.ticketId().toString(),
                event.type(), event);
    }
}
