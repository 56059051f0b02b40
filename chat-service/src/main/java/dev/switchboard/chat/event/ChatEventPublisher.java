package dev.switchboard.chat.event;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.switchboard.messaging.cloudevents.CloudEvent;
import dev.switchboard.messaging.outbox.OutboxWriter;
import io.smallrye.mutiny.Uni;

/** Writes chat events into the outbox, in the caller's transaction, keyed by ticket id. */
@ApplicationScoped
public class ChatEventPublisher {
    private final OutboxWriter outbox;
    private final ObjectMapper json;

    ChatEventPublisher(OutboxWriter outbox, ObjectMapper json) {
        this.outbox = outbox;
        this.json = json;
    }

    public Uni<Void> publish(ChatEvent event) {
        String data;
        try {
            data = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        String ticketId = event.ticketId().toString();
        return outbox.append(ChatEvent.TOPIC, "ticket", ticketId,
                CloudEvent.create(event.type(), ChatEvent.SOURCE, ticketId, data));
    }
}
