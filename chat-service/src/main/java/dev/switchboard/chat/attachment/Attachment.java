package dev.switchboard.chat.attachment;

import java.time.OffsetDateTime;
import java.util.UUID;

/** An attachment's metadata; its bytes are in the {@link AttachmentStore}. */
public record Attachment(UUID id, UUID ticketId, String uploaderId, String filename, String contentType, long size,
        OffsetDateTime createdAt) {
}
