package dev.switchboard.messaging.outbox;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.switchboard.messaging.cloudevents.CloudEvent;
import io.smallrye.mutiny.Uni;

/**
 * Publishes a domain event the way every service does: its data as JSON (the application's
 * ObjectMapper, so snake_case), wrapped in a new CloudEvent, appended to the outbox in the caller's
 * transaction, keyed by the aggregate id.
 */
@ApplicationScoped
public class EventOutbox {
    private final OutboxWriter outbox;
    private final ObjectMapper json;

    EventOutbox(OutboxWriter outbox, ObjectMapper json) {
        this.outbox = outbox;
        this.json = json;
    }

    public Uni<Void> publish(String topic, String source, String aggregateType, String aggregateId, String type,
            Object data) {
        CloudEvent event;
        try {
            event = event(source, aggregateId, type, data);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        return outbox.append(topic, aggregateType, aggregateId, event);
    }

    /** One event for {@link #publishAll}: its aggregate, its type and its data. */
    public record Event(String aggregateId, String type, Object data) {
    }

    /** As {@link #publish} each, in the list's order, in one statement ({@link OutboxWriter#appendAll}). */
    public Uni<Void> publishAll(String topic, String source, String aggregateType, List<Event> events) {
        List<OutboxWriter.Pending> pending = new ArrayList<>(events.size());
        try {
            for (Event e : events) {
                pending.add(new OutboxWriter.Pending(topic, aggregateType, e.aggregateId(),
                        event(source, e.aggregateId(), e.type(), e.data())));
            }
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        return outbox.appendAll(pending);
    }

    /** The CloudEvent {@link #publish} appends: the data as JSON, a new id, now. */
    public CloudEvent event(String source, String aggregateId, String type, Object data) throws JsonProcessingException {
        return CloudEvent.create(type, source, aggregateId, json.writeValueAsString(data));
    }
}
