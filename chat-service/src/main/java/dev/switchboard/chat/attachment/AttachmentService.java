package dev.switchboard.chat.attachment;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.chat.service.ChatAccess;
import dev.switchboard.service.rest.Problem;
import dev.switchboard.service.rest.ProblemException;
import dev.switchboard.service.security.Actor;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

/** Upload, inline attachments on send, and download, all behind the ticket's access rule. */
@ApplicationScoped
public class AttachmentService {
    private final AttachmentStore store;
    private final ChatAccess access;

    AttachmentService(AttachmentStore store, ChatAccess access) {
        this.store = store;
        this.access = access;
    }

    public record Download(Attachment attachment, byte[] data) {
    }

    @WithSession
    public Uni<Attachment> upload(Actor actor, UUID ticketId, String filename, String contentType, byte[] data) {
        return access.require(actor, ticketId).chain(() -> save(actor, ticketId, filename, contentType, data));
    }

    /**
     * The attachments named on a send: ids of uploads to this ticket, or inline files
     * {@code {filename, content_type, data}} (base64) checked like uploads.
     */
    public Uni<List<Attachment>> resolve(Actor actor, UUID ticketId, List<JsonNode> refs) {
        Uni<List<Attachment>> all = Uni.createFrom().item(new ArrayList<>());
        for (int i = 0; i < refs.size(); i++) {
            JsonNode ref = refs.get(i);
            String field = "attachments[" + i + "]";
            all = all.chain(list -> one(actor, ticketId, ref, field).map(a -> {
                list.add(a);
                return list;
            }));
        }
        return all;
    }

    private Uni<Attachment> one(Actor actor, UUID ticketId, JsonNode ref, String field) {
        if (ref.isTextual()) {
            UUID id;
            try {
                id = UUID.fromString(ref.asText());
            } catch (IllegalArgumentException e) {
                throw invalid(field, "must be an attachment id or {filename, content_type, data}");
            }
            return store.find(id).map(a -> {
                if (a == null || !a.ticketId().equals(ticketId)) {
                    throw invalid(field, "is not an attachment of this ticket");
                }
                return a;
            });
        }
        if (!ref.isObject() || !ref.path("data").isTextual()) {
            throw invalid(field, "must be an attachment id or {filename, content_type, data}");
        }
        byte[] data;
        try {
            data = Base64.getMimeDecoder().decode(ref.path("data").asText());
        } catch (IllegalArgumentException e) {
            throw invalid(field + ".data", "must be base64");
        }
        return save(actor, ticketId, ref.path("filename").asText("attachment"), ref.path("content_type").asText(""), data);
    }

    private Uni<Attachment> save(Actor actor, UUID ticketId, String filename, String contentType, byte[] data) {
        check(contentType, data);
        Attachment attachment = new Attachment(UUID.randomUUID(), ticketId, actor.id(), FileTypes.safeFilename(filename),
                FileTypes.normalise(contentType), data.length,
                OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS));
        return store.save(attachment, data).replaceWith(attachment);
    }

    /** 413 when too large, 415 when the type is not allowed or the bytes are not of that type. */
    static void check(String contentType, byte[] data) {
        if (data.length > FileTypes.MAX_BYTES) {
            throw new ProblemException(413, "too-large", "Payload too large", "an attachment may be at most "
                    + FileTypes.MAX_BYTES + " bytes; this one has " + data.length, List.of(), Map.of());
        }
        if (!FileTypes.isAllowed(contentType)) {
            throw new ProblemException(415, "unsupported-type", "Unsupported media type", "content type '"
                    + FileTypes.normalise(contentType) + "' is not allowed", List.of(),
                    Map.of("allowed", FileTypes.allowed()));
        }
        if (!FileTypes.contentMatches(contentType, data)) {
            throw new ProblemException(415, "content-mismatch", "Unsupported media type", "the content is not "
                    + FileTypes.normalise(contentType), List.of(), Map.of("allowed", FileTypes.allowed()));
        }
    }

    @WithSession
    public Uni<Download> download(Actor actor, UUID id) {
        return store.find(id).chain(a -> {
            if (a == null) {
                throw ProblemException.notFound("attachment " + id);
            }
            return access.require(actor, a.ticketId())
                    .onFailure(ProblemException.class).transform(e -> ProblemException.notFound("attachment " + id))
                    .chain(() -> store.content(id)).map(bytes -> new Download(a, bytes));
        });
    }

    private static ProblemException invalid(String field, String message) {
        return ProblemException.badRequest("the field " + field + " is invalid", List.of(new Problem.FieldError(field, message)));
    }
}
