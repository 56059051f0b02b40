package dev.switchboard.chat.mapping;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import dev.switchboard.chat.MessageType;

/** Response bodies of the chat API (snake_case JSON). */
public final class ChatViews {
    private ChatViews() {
    }

    public record AttachmentView(UUID id, String filename, String contentType, long size, String url) {
    }

    /**
     * {@code message} is the text sanitised for HTML; a deleted message keeps its place in the
     * history with {@code deleted: true} and no text or attachments.
     */
    public record MessageView(UUID id, UUID ticketId, String authorId, String authorName, MessageType type,
            String message, List<String> mentions, List<AttachmentView> attachments, String clientMsgId,
            OffsetDateTime createdAt, OffsetDateTime editedAt, boolean deleted) {
    }

    /**
     * One page, oldest first. {@code next_before}: pass as {@code before} for older messages (null when
     * there are none); {@code next_after}: pass as {@code after} for newer ones.
     */
    public record History(List<MessageView> items, UUID nextBefore, UUID nextAfter) {
    }

    public record Participant(String userId, String role) {
    }

    public record Receipt(UUID ticketId, String userId, UUID messageId, boolean advanced) {
    }
}
