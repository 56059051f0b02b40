package dev.switchboard.notification.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.switchboard.messaging.cloudevents.CloudEvent;
import dev.switchboard.messaging.cloudevents.InvalidCloudEventException;
import dev.switchboard.messaging.inbox.ProcessedEvents;
import dev.switchboard.notification.repository.TicketDirectory;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/**
 * Applies incoming events in one transaction each (chat events: one per poll): the idempotent-consumer
 * mark, the projection, and the notifications with their outbox events. A redelivered event (same
 * ce_id) changes nothing.
 */
@ApplicationScoped
public class EventProcessor {
    static final String TICKETS = "notification-service.ticket-events";
    static final String CHAT = "notification-service.chat-events";
    static final String REQUESTS = "notification-service.notification-requests";

    private final ProcessedEvents processed;
    private final TicketDirectory tickets;
    private final NotificationService notifications;
    private final ObjectMapper json;

    EventProcessor(ProcessedEvents processed, TicketDirectory tickets, NotificationService notifications,
            ObjectMapper json) {
        this.processed = processed;
        this.tickets = tickets;
        this.notifications = notifications;
        this.json = json;
    }

    /** A chat event arrived before the ticket event that introduces its ticket; it is retried. */
    public static class TicketNotKnownYet extends RuntimeException {
        public TicketNotKnownYet(UUID ticketId) {
            super("ticket " + ticketId + " is not known yet");
        }
    }

    @WithTransaction
    public Uni<Boolean> ticketEvent(CloudEvent event) {
        JsonNode data = parse(event);
        TicketDirectory.Ticket ticket = TicketDirectory.fromSnapshot(data.path("ticket"));
        long version = data.path("ticket").path("version").asLong(-1);
        return processed.processOnce(TICKETS, event.id(), () -> tickets.apply(ticket, version)
                .chain(() -> notifications.deliver(NotificationRules.forTicketEvent(event.type(), data, ticket))));
    }

    /** Only a new message notifies anyone: edits, deletions and read receipts are passed over without a transaction. */
    public static boolean notifies(CloudEvent chatEvent) {
        return notifies(chatEvent.type());
    }

    /** {@link #notifies(CloudEvent)} by the event's type ({@code ce_type}) alone. */
    public static boolean notifies(String chatEventType) {
        return "switchboard.chat.message_created.v1".equals(chatEventType);
    }

    /**
     * Chat events that {@link #notifies notify}, one poll's worth, in one transaction: each is marked
     * processed (one seen before is passed over) and their notifications are delivered together, new
     * messages on one ticket collapsing into one step per user. Fails as a whole if any event does
     * (a ticket not known yet, data it cannot read); the caller then applies them one by one.
     */
    @WithTransaction
    public Uni<Void> chatEvents(List<CloudEvent> events) {
        List<Intent> intents = new ArrayList<>();
        Map<UUID, TicketDirectory.Ticket> known = new HashMap<>();
        // One statement marks the whole poll; an event whose id was marked before (or twice in the poll) is
        // passed over.
        return processed.markAllProcessed(CHAT, events.stream().map(CloudEvent::id).toList()).chain(fresh -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (CloudEvent event : events) {
                if (fresh.remove(event.id())) {
                    chain = chain.chain(() -> collectIntents(event, known, intents));
                }
            }
            return chain;
        }).chain(() -> notifications.deliver(intents));
    }

    /** Adds a new message's notification intents to {@code intents}; {@code known} caches the poll's tickets. */
    private Uni<Void> collectIntents(CloudEvent event, Map<UUID, TicketDirectory.Ticket> known, List<Intent> intents) {
        JsonNode data = parse(event);
        UUID ticketId;
        try {
            ticketId = UUID.fromString(data.path("ticket_id").asText());
        } catch (IllegalArgumentException e) {
            throw new InvalidCloudEventException("chat event with an invalid ticket_id");
        }
        Uni<TicketDirectory.Ticket> ticket = known.containsKey(ticketId) ? Uni.createFrom().item(known.get(ticketId))
                : tickets.find(ticketId).invoke(t -> known.put(ticketId, t));
        return ticket.invoke(t -> {
            if (t == null) {
                throw new TicketNotKnownYet(ticketId);
            }
            intents.addAll(NotificationRules.forChatMessage(data, t));
        }).replaceWithVoid();
    }

    @WithTransaction
    public Uni<Boolean> request(CloudEvent event) {
        Intent intent = NotificationRules.forRequest(parse(event));
        return processed.processOnce(REQUESTS, event.id(), () -> notifications.deliver(List.of(intent)));
    }

    private JsonNode parse(CloudEvent event) {
        try {
            JsonNode data = json.readTree(event.data());
            if (!data.isObject()) {
                throw new InvalidCloudEventException(event.id() + " data is not a JSON object");
            }
            return data;
        } catch (java.io.IOException e) {
            throw new InvalidCloudEventException(event.id() + " data is not JSON");
        }
    }
}
