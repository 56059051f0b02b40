package dev.switchboard.chat.event;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.switchboard.messaging.outbox.EventOutbox;
import dev.switchboard.messaging.outbox.OutboxWriter;
import io.smallrye.mutiny.Uni;

/** Writes chat events into the outbox, in the caller's transaction, keyed by ticket id. */
@ApplicationScoped
public class ChatEventPublisher {
    private static final String AGGREGATE = "ticket";
    private final EventOutbox outbox;

    ChatEventPublisher(EventOutbox outbox) {
        this.outbox = outbox;
    }

    public Uni<Void> publish(ChatEvent event) {
        return outbox.publish(ChatEvent.TOPIC, ChatEvent.SOURCE, AGGREGATE, event.ticketId().toString(), event.type(),
                event);
    }

    /**
     * The values {@link OutboxWriter#appendAfter} appends for this event, for a statement that writes it
     * itself, with the wake-up mark {@code wakeMode} ({@link dev.switchboard.messaging.outbox.OutboxWake#mode()}).
     */
    public Object[] outboxParameters(ChatEvent event, String wakeMode) throws JsonProcessingException {
        String ticketId = event.ticketId().toString();
        return OutboxWriter.parameters(ChatEvent.TOPIC, AGGREGATE, ticketId,
                outbox.event(ChatEvent.SOURCE, ticketId, event.type(), event), wakeMode);
    }
}
