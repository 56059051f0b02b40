package dev.switchboard.notification.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.switchboard.deadletters.DeadLetters;
import dev.switchboard.messaging.cloudevents.CloudEvent;
import dev.switchboard.messaging.cloudevents.InvalidCloudEventException;
import dev.switchboard.notification.service.EventProcessor;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * The three inputs. A record that cannot be processed goes to its channel's dead-letter topic
 * (application.properties); the records behind it go on. Chat events, by far the most frequent,
 * come a poll at a time and are applied in one transaction; should that fail, they are applied one
 * by one, so one bad record costs only itself.
 */
@ApplicationScoped
public class EventConsumers {
    private final EventProcessor processor;
    private final DeadLetters deadLetters;

    EventConsumers(EventProcessor processor, DeadLetters deadLetters) {
        this.processor = processor;
        this.deadLetters = deadLetters;
    }

    @Incoming("ticket-events")
    public Uni<Void> ticketEvents(ConsumerRecord<String, byte[]> record) {
        return handle(record, processor::ticketEvent);
    }

    @Incoming("chat-events")
    public Uni<Void> chatEvents(ConsumerRecords<String, byte[]> records) {
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>(records.count());
        records.forEach(all::add);
        List<CloudEvent> notifying = new ArrayList<>(all.size());
        try {
            for (ConsumerRecord<String, byte[]> record : all) {
                // Edits, deletions and read receipts are passed over on their type alone, unread; a record
                // without a type is not a CloudEvent and goes the one-by-one way, to the dead-letter topic.
                String type = CloudEvent.header(record.headers(), CloudEvent.HEADER_TYPE);
                if (type == null || EventProcessor.notifies(type)) {
                    notifying.add(CloudEvent.fromKafka(record.headers(), record.value()));
                }
            }
        } catch (RuntimeException e) {
            return oneByOne(all);
        }
        if (notifying.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return processor.chatEvents(notifying).onFailure().recoverWithUni(e -> {
            Log.infof("a poll of %d chat events failed together (%s); applying them one by one", all.size(), e.getMessage());
            return oneByOne(all);
        });
    }

    @Incoming("notification-requests")
    public Uni<Void> requests(ConsumerRecord<String, byte[]> record) {
        return handle(record, processor::request);
    }

    /**
     * Each record on its own; one that still fails goes to the dead-letter topic. A message about a
     * ticket not projected yet waits (up to about a minute) for the ticket event.
     */
    private Uni<Void> oneByOne(List<ConsumerRecord<String, byte[]>> records) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (ConsumerRecord<String, byte[]> record : records) {
            chain = chain.chain(() -> handle(record, event -> EventProcessor.notifies(event)
                    ? processor.chatEvents(List.of(event)).replaceWith(Boolean.TRUE)
                    : Uni.createFrom().item(Boolean.FALSE))
                    .onFailure(EventProcessor.TicketNotKnownYet.class).retry()
                    .withBackOff(Duration.ofMillis(100), Duration.ofSeconds(2)).atMost(40)
                    // The database (or anything else) being away is not the record's fault: it waits, as the
                    // partition does, rather than being dead-lettered for an outage.
                    .onFailure(e -> !recordsFault(e)).retry()
                    .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).indefinitely()
                    .onFailure().recoverWithUni(e -> deadLetters.send(record, e)
                            .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5)).indefinitely()));
        }
        return chain;
    }

    /** A failure the record itself causes (invalid event or data, a ticket that never came): it goes to the DLQ. */
    private static boolean recordsFault(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidCloudEventException || t instanceof EventProcessor.TicketNotKnownYet
                    || t instanceof IllegalArgumentException || t instanceof JsonProcessingException) {
                return true;
            }
        }
        return false;
    }

    private static Uni<Void> handle(ConsumerRecord<String, byte[]> record, Function<CloudEvent, Uni<Boolean>> apply) {
        return Uni.createFrom().item(() -> CloudEvent.fromKafka(record.headers(), record.value()))
                .chain(apply::apply).replaceWithVoid();
    }
}
