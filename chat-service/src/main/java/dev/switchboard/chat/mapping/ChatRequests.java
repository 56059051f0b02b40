package dev.switchboard.chat.mapping;

import java.util.List;
import java.util.UUID;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.chat.MessageType;

public final class ChatRequests {
    private ChatRequests() {
    }

    /**
     * @param attachments attachment ids from POST /tickets/{id}/attachments, or (for seed clients)
     *        small inline files {@code {filename, content_type, data: base64}}
     * @param clientMsgId makes a retry idempotent: the same id returns the same message
     */
    public record SendMessage(String message, MessageType messageType, @Size(max = 10) List<JsonNode> attachments,
            @Size(min = 1, max = 100) String clientMsgId) {
    }

    public record EditMessage(@NotNull String message) {
    }

    public record MarkRead(@NotNull UUID messageId) {
    }
}
