package dev.switchboard.chat.service;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.exception.ConstraintViolationException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.switchboard.chat.ChatMessage;
import dev.switchboard.chat.MessageType;
import dev.switchboard.chat.attachment.Attachment;
import dev.switchboard.chat.attachment.AttachmentService;
import dev.switchboard.chat.event.ChatEvent;
import dev.switchboard.chat.event.ChatEvent.ActorRef;
import dev.switchboard.chat.event.ChatEventPublisher;
import dev.switchboard.chat.mapping.ChatRequests;
import dev.switchboard.chat.mapping.ChatViews.AttachmentView;
import dev.switchboard.chat.mapping.ChatViews.History;
import dev.switchboard.chat.mapping.ChatViews.MessageView;
import dev.switchboard.chat.mapping.ChatViews.Participant;
import dev.switchboard.chat.mapping.ChatViews.Receipt;
import dev.switchboard.chat.repository.MessageRepository;
import dev.switchboard.messaging.outbox.OutboxWake;
import dev.switchboard.messaging.outbox.OutboxWriter;
import dev.switchboard.service.JsonColumns;
import dev.switchboard.service.rest.Paging;
import dev.switchboard.service.rest.ProblemException;
import dev.switchboard.service.security.Actor;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A ticket's chat: history, send, edit, delete, read receipts, search, participants. Access comes
 * from chat-service's own projection of the ticket ({@link ChatAccess}); every change writes its
 * event to the outbox in the same transaction.
 */
@ApplicationScoped
public class MessageService {
    public static final int DEFAULT_LIMIT = 50;

    private final MessageRepository messages;
    private final ChatAccess access;
    private final AttachmentService attachments;
    private final ChatEventPublisher events;
    private final ObjectMapper json;
    private final Pool pool;
    private final OutboxWake wake;

    MessageService(MessageRepository messages, ChatAccess access, AttachmentService attachments,
            ChatEventPublisher events, ObjectMapper json, Pool pool, OutboxWake wake) {
        this.pool = pool;
        this.wake = wake;
        this.messages = messages;
        this.access = access;
        this.attachments = attachments;
        this.events = events;
        this.json = json;
    }

    /** The result of a send: the stored message, and whether this call created it (false on a retry). */
    public record Sent(MessageView message, boolean created) {
    }

    @WithSession
    public Uni<History> history(Actor actor, UUID ticketId, UUID before, UUID after, int offset, int limit) {
        if (before != null && after != null) {
            throw MessageText.invalid("before", "use before or after, not both");
        }
        return access.require(actor, ticketId).chain(() -> {
            if (before == null && after == null) {
                return messages.latest(ticketId, offset, limit + 1).map(found -> {
                    List<ChatMessage> page = found.size() > limit ? found.subList(1, found.size()) : found;
                    return new History(views(page), found.size() > limit ? page.get(0).id : null, null);
                });
            }
            UUID cursorId = before != null ? before : after;
            return messages.findById(cursorId).chain(cursor -> {
                if (cursor == null || !cursor.ticketId.equals(ticketId)) {
                    throw MessageText.invalid(before != null ? "before" : "after", "must be the id of a message of this ticket");
                }
                if (before != null) {
                    return messages.before(ticketId, cursor.createdAt, cursor.id, limit + 1).map(found -> {
                        List<ChatMessage> page = found.size() > limit ? found.subList(1, found.size()) : found;
                        UUID older = found.size() > limit ? page.get(0).id : null;
                        return new History(views(page), older, page.isEmpty() ? cursor.id : page.get(page.size() - 1).id);
                    });
                }
                return messages.after(ticketId, cursor.createdAt, cursor.id, limit + 1).map(found -> {
                    List<ChatMessage> page = found.size() > limit ? found.subList(0, limit) : found;
                    UUID newer = found.size() > limit ? page.get(page.size() - 1).id : null;
                    return new History(views(page), page.isEmpty() ? cursor.id : page.get(0).id, newer);
                });
            });
        });
    }

    /**
     * Stores and announces a message. With a {@code client_msg_id} a retry, even a concurrent one,
     * returns the message the first call stored and announces nothing more.
     */
    public Uni<Sent> send(Actor actor, UUID ticketId, ChatRequests.SendMessage request) {
        MessageType type = request.messageType() == null ? MessageType.TEXT : request.messageType();
        String text = request.message() == null ? "" : request.message();
        if (type == MessageType.SYSTEM) {
            throw MessageText.invalid("message_type", "must be TEXT, FILE or IMAGE");
        }
        MessageText.check("message", text);
        if (type == MessageType.TEXT && text.isBlank()) {
            throw MessageText.invalid("message", "must not be blank");
        }
        List<JsonNode> attachmentRefs = request.attachments() == null ? List.of() : request.attachments();
        if (type != MessageType.TEXT && attachmentRefs.isEmpty()) {
            throw MessageText.invalid("attachments", "a " + type + " message needs at least one attachment");
        }
        if (type == MessageType.TEXT && attachmentRefs.isEmpty()) {
            return sendText(actor, ticketId, text, request.clientMsgId());
        }
        return Panache.withTransaction(() -> access.require(actor, ticketId)
                .chain(() -> request.clientMsgId() == null ? Uni.createFrom().nullItem()
                        : messages.byClientMsgId(ticketId, actor.id(), request.clientMsgId()))
                .chain(existing -> existing != null ? Uni.createFrom().item(new Sent(view(existing), false))
                        : attachments.resolve(actor, ticketId, attachmentRefs)
                                .chain(files -> store(actor, ticketId, type, text, files, request.clientMsgId()))
                                .map(message -> new Sent(message, true))))
                // A concurrent retry with the same client_msg_id won the insert: return its message.
                .onFailure(e -> request.clientMsgId() != null && isUniqueViolation(e)).recoverWithUni(() -> Panache.withSession(() ->
                        messages.byClientMsgId(ticketId, actor.id(), request.clientMsgId())
                                .map(existing -> new Sent(view(existing), false))));
    }

    /**
     * A text message in one statement and so one round trip: the access check, the insert (none for a
     * retry of a stored {@code client_msg_id}) and its event in the outbox, in the statement's own
     * transaction. The same rows and the same event as the general path, which a message with
     * attachments takes (they are resolved and stored first); this one is what nearly every send is.
     */
    private Uni<Sent> sendText(Actor actor, UUID ticketId, String text, String clientMsgId) {
        List<String> mentions = MessageText.mentions(text);
        ChatMessage m = newMessage(actor, ticketId, MessageType.TEXT, text, mentions, List.of(), clientMsgId);
        // From the values at hand, without reading back the JSON just written.
        MessageView view = view(m, mentions, List.of());
        Object[] event;
        // The statement's own commit is known here, so this process's relay is woken directly rather than
        // through PostgreSQL's notification (OutboxWake).
        String wakeMode = wake.mode();
        try {
            event = events.outboxParameters(new ChatEvent.MessageCreated(ticketId, view, new ActorRef(actor.id(), actor.name())),
                    wakeMode);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        Object[] values = new Object[SEND_TEXT_PARAMETERS + event.length];
        Object[] own = {ticketId, actor.isStaff(), m.authorId, m.id, m.authorName, m.type.name(), m.body, m.clientMsgId,
                m.mentions, m.createdAt};
        System.arraycopy(own, 0, values, 0, own.length);
        System.arraycopy(event, 0, values, own.length, event.length);
        return pool.preparedQuery(SEND_TEXT).execute(Tuple.from(values)).chain(rows -> {
            Row row = rows.iterator().next();
            if (row.getLong("allowed") == 0) {
                throw ProblemException.notFound("ticket " + ticketId);
            }
            if (row.getLong("inserted") == 1) {
                wake.committed(wakeMode);
                return Uni.createFrom().item(new Sent(view, true));
            }
            // A retry: the client_msg_id is stored already (by an earlier call, or a concurrent one that won).
            return Panache.withSession(() -> messages.byClientMsgId(ticketId, actor.id(), clientMsgId))
                    .map(existing -> new Sent(view(existing), false));
        });
    }

    private static final int SEND_TEXT_PARAMETERS = 10;
    /**
     * $1 ticket, $2 whether the actor is staff (sees every ticket), $3 author, $4-$10 the message's
     * other columns, then the outbox event's values and its wake-up mark (OutboxWriter.appendAfter).
     */
    private static final String SEND_TEXT = """
            with allowed as (
                select 1 from ticket_projection t
                where t.ticket_id = $1
                  and ($2 or exists (select 1 from ticket_member tm where tm.ticket_id = $1 and tm.user_id = $3))),
            inserted as (
                insert into chat_message (id, ticket_id, author_id, author_name, type, body, client_msg_id, mentions,
                    attachments, created_at)
                select $4, $1, $3, $5, $6, $7, $8, $9, '[]', $10 from allowed
                on conflict (ticket_id, author_id, client_msg_id) where client_msg_id is not null do nothing
                returning id),
            """ + OutboxWriter.appendAfter("inserted", SEND_TEXT_PARAMETERS + 1) + """

            select (select count(*) from allowed) as allowed, (select count(*) from inserted) as inserted""";

    private static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConstraintViolationException) {
                return true;
            }
        }
        return false;
    }

    private Uni<MessageView> store(Actor actor, UUID ticketId, MessageType type, String text, List<Attachment> files,
            String clientMsgId) {
        ChatMessage m = newMessage(actor, ticketId, type, text, MessageText.mentions(text), files, clientMsgId);
        MessageView view = view(m);
        return messages.persist(m)
                .chain(() -> messages.flush())
                .chain(() -> events.publish(new ChatEvent.MessageCreated(ticketId, view, new ActorRef(actor.id(), actor.name()))))
                .map(ignored -> view);
    }

    /** A new message by the actor, not stored yet. */
    private ChatMessage newMessage(Actor actor, UUID ticketId, MessageType type, String text, List<String> mentions,
            List<Attachment> files, String clientMsgId) {
        ChatMessage m = new ChatMessage();
        m.id = UUID.randomUUID();
        m.ticketId = ticketId;
        m.authorId = actor.id();
        m.authorName = actor.name();
        m.type = type;
        m.body = text;
        m.clientMsgId = clientMsgId;
        m.mentions = write(mentions);
        m.attachments = files.isEmpty() ? "[]" : write(files.stream().map(MessageService::attachmentView).toList());
        m.createdAt = now();
        return m;
    }

    /** A SYSTEM message written by the service itself; its id comes from the event that caused it. */
    public Uni<Void> systemMessage(UUID ticketId, UUID id, String text, ActorRef actor) {
        ChatMessage m = new ChatMessage();
        m.id = id;
        m.ticketId = ticketId;
        m.authorId = actor.id();
        m.authorName = actor.name();
        m.type = MessageType.SYSTEM;
        m.body = text;
        m.mentions = "[]";
        m.attachments = "[]";
        m.createdAt = now();
        return messages.persist(m)
                .chain(() -> events.publish(new ChatEvent.MessageCreated(ticketId, view(m), actor)));
    }

    /** Only the author edits, and not a deleted or SYSTEM message. */
    @WithTransaction
    public Uni<MessageView> edit(Actor actor, UUID messageId, String text) {
        MessageText.check("message", text);
        if (text.isBlank()) {
            throw MessageText.invalid("message", "must not be blank");
        }
        return ownMessage(actor, messageId).chain(m -> {
            if (m.deletedAt != null) {
                throw ProblemException.conflict("deleted", "the message was deleted", java.util.Map.of());
            }
            m.body = text;
            m.mentions = write(MessageText.mentions(text));
            m.editedAt = now();
            MessageView view = view(m);
            return events.publish(new ChatEvent.MessageUpdated(m.ticketId, view, new ActorRef(actor.id(), actor.name())))
                    .map(ignored -> view);
        });
    }

    /** Soft delete by the author; deleting twice changes nothing. */
    @WithTransaction
    public Uni<MessageView> delete(Actor actor, UUID messageId) {
        return ownMessage(actor, messageId).chain(m -> {
            if (m.deletedAt != null) {
                return Uni.createFrom().item(view(m));
            }
            m.deletedAt = now();
            return events.publish(new ChatEvent.MessageDeleted(m.ticketId, m.id, new ActorRef(actor.id(), actor.name())))
                    .map(ignored -> view(m));
        });
    }

    private Uni<ChatMessage> ownMessage(Actor actor, UUID messageId) {
        return messages.findById(messageId).chain(m -> {
            if (m == null) {
                throw ProblemException.notFound("message " + messageId);
            }
            return access.require(actor, m.ticketId).map(ignored -> {
                if (m.type == MessageType.SYSTEM || !m.authorId.equals(actor.id())) {
                    throw ProblemException.forbidden("only the author changes a message");
                }
                return m;
            });
        });
    }

    /** Moves the caller's read receipt forward to the message; announces it only when it moved. */
    @WithTransaction
    public Uni<Receipt> markRead(Actor actor, UUID ticketId, UUID messageId) {
        return access.require(actor, ticketId)
                .chain(() -> messages.findById(messageId))
                .chain(m -> {
                    if (m == null || !m.ticketId.equals(ticketId)) {
                        throw MessageText.invalid("message_id", "must be the id of a message of this ticket");
                    }
                    OffsetDateTime at = now();
                    return messages.advanceReceipt(ticketId, actor.id(), messageId, at).chain(advanced -> !advanced
                            ? Uni.createFrom().item(new Receipt(ticketId, actor.id(), messageId, false))
                            : events.publish(new ChatEvent.MessageSeen(ticketId, messageId, actor.id(), at))
                                    .map(ignored -> new Receipt(ticketId, actor.id(), messageId, true)));
                });
    }

    @WithSession
    public Uni<List<Participant>> participants(Actor actor, UUID ticketId) {
        return access.require(actor, ticketId).chain(() -> access.members(ticketId))
                .map(members -> members.stream().map(m -> new Participant(m.userId(), m.role())).toList());
    }

    /** Full-text search in one ticket ({@code ticketId}) or in every ticket the caller can see (null). */
    @WithSession
    public Uni<List<MessageView>> search(Actor actor, UUID ticketId, String query, int limit) {
        if (query == null || query.isBlank() || query.length() > 200) {
            throw MessageText.invalid("q", "must be 1 to 200 characters");
        }
        Uni<Void> allowed = ticketId == null ? Uni.createFrom().voidItem() : access.require(actor, ticketId);
        return allowed.chain(() -> messages.search(query.strip(), ticketId == null ? null : List.of(ticketId),
                actor.isStaff() ? null : actor.id(), limit)).map(this::views);
    }

    List<MessageView> views(List<ChatMessage> list) {
        List<MessageView> out = new ArrayList<>(list.size());
        list.forEach(m -> out.add(view(m)));
        return out;
    }

    MessageView view(ChatMessage m) {
        return view(m, read(m.mentions, new TypeReference<List<String>>() {
        }), m.deletedAt != null ? List.of() : read(m.attachments, new TypeReference<List<AttachmentView>>() {
        }));
    }

    /** The view of a message whose mentions and attachments are at hand (those of its JSON columns). */
    private static MessageView view(ChatMessage m, List<String> mentions, List<AttachmentView> attachments) {
        boolean deleted = m.deletedAt != null;
        return new MessageView(m.id, m.ticketId, m.authorId, m.authorName, m.type,
                deleted ? "" : MessageText.sanitise(m.body), mentions, deleted ? List.of() : attachments, m.clientMsgId,
                m.createdAt, m.editedAt, deleted);
    }

    static AttachmentView attachmentView(Attachment a) {
        return new AttachmentView(a.id(), a.filename(), a.contentType(), a.size(), "/api/v1/attachments/" + a.id());
    }

    private String write(Object value) {
        return JsonColumns.write(json, value);
    }

    private <T> T read(String text, TypeReference<T> type) {
        return JsonColumns.read(json, text, type);
    }

    public static int checkLimit(String value) {
        return Paging.limit(value, DEFAULT_LIMIT);
    }

    static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }
}
