package dev.switchboard.chat.attachment;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

@ApplicationScoped
public class PostgresAttachmentStore implements AttachmentStore {
    private final Pool pool;

    PostgresAttachmentStore(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Uni<Void> save(Attachment a, byte[] data) {
        return pool.preparedQuery("""
                insert into chat_attachment (id, ticket_id, uploader_id, filename, content_type, size, data, created_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8)""")
                .execute(Tuple.from(new Object[] {a.id(), a.ticketId(), a.uploaderId(), a.filename(), a.contentType(),
                        a.size(), io.vertx.core.buffer.Buffer.buffer(data), a.createdAt()}))
                .replaceWithVoid();
    }

    @Override
    public Uni<Attachment> find(UUID id) {
        return pool.preparedQuery("select id, ticket_id, uploader_id, filename, content_type, size, created_at"
                + " from chat_attachment where id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : toAttachment(rows.iterator().next()));
    }

    @Override
    public Uni<byte[]> content(UUID id) {
        return pool.preparedQuery("select data from chat_attachment where id = $1").execute(Tuple.of(id))
                .map(rows -> rows.iterator().next().getBuffer("data").getBytes());
    }

    private static Attachment toAttachment(Row row) {
        return new Attachment(row.getUUID("id"), row.getUUID("ticket_id"), row.getString("uploader_id"),
                row.getString("filename"), row.getString("content_type"), row.getLong("size"),
                row.getOffsetDateTime("created_at"));
    }
}
