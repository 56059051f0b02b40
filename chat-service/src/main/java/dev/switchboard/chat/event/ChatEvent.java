package dev.switchboard.chat.event;

import java.time.OffsetDateTime;
import java.util.UUID;

import dev.switchboard.chat.mapping.ChatViews.MessageView;

/**
 * The data of the chat events on {@code switchboard.chat-events}, key = ticket id. The JSON Schemas
 * under {@code src/main/resources/schemas/events/} are the contract.
 */
public sealed interface ChatEvent {
    String TOPIC = "switchboard.chat-events";
    String SOURCE = "/chat-service";

    UUID ticketId();

    String type();

    record ActorRef(String id, String name) {
    }

    record MessageCreated(UUID ticketId, MessageView message, ActorRef actor) implements ChatEvent {
        public String type() {
            return "switchboard.chat.message_created.v1";
        }
    }

    record MessageUpdated(UUID ticketId, MessageView message, ActorRef actor) implements ChatEvent {
        public String type() {
            return "switchboard.chat.message_updated.v1";
        }
    }

    record MessageDeleted(UUID ticketId, UUID messageId, ActorRef actor) implements ChatEvent {
        public String type() {
            return "switchboard.chat.message_deleted.v1";
        }
    }

    record MessageSeen(UUID ticketId, UUID messageId, String userId, OffsetDateTime readAt) implements ChatEvent {
        public String type() {
            return "switchboard.chat.message_seen.v1";
        }
    }
}
