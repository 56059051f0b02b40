package dev.switchboard.chat.attachment;

import java.util.UUID;

import io.smallrye.mutiny.Uni;

/** Where attachment bytes live. The Postgres implementation is the default; a blob store can replace it. */
public interface AttachmentStore {
    Uni<Void> save(Attachment attachment, byte[] data);

    /** Metadata, or null when there is no such attachment. */
    Uni<Attachment> find(UUID id);

    Uni<byte[]> content(UUID id);
}
