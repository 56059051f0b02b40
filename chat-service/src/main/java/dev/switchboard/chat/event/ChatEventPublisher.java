package dev.switchboard.chat.event;

import jakarta.enterprise.context.ApplicationScoped;

import dev.switchboard.messaging.outbox.EventOutbox;
import io.smallrye.mutiny.Uni;

/** Writes chat events into the outbox, in the caller's transaction, keyed by ticket id. */
@ApplicationScoped
public class ChatEventPublisher {
    private final EventOutbox outbox;

    ChatEventPublisher(EventOutbox outbox) {
        this.outbox = outbox;
    }

    public Uni<Void> publish(ChatEvent event) {
        return outbox.publish(ChatEvent.TOPIC, ChatEvent.SOURCE, "ticket", event.ticketId().toString(), event.type(),
                event);
    }
}
