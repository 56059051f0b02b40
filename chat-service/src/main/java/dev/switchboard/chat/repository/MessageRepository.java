package dev.switchboard.chat.repository;

import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.switchboard.chat.ChatMessage;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

/** History queries; every page is in (created_at, id) order, oldest first. */
@ApplicationScoped
@WithSession
public class MessageRepository implements PanacheRepositoryBase<ChatMessage, UUID> {
    public Uni<ChatMessage> byClientMsgId(UUID ticketId, String authorId, String clientMsgId) {
        return find("ticketId = ?1 and authorId = ?2 and clientMsgId = ?3", ticketId, authorId, clientMsgId)
                .firstResult();
    }

    /** The newest {@code limit} messages (after skipping {@code offset} newest ones). */
    public Uni<List<ChatMessage>> latest(UUID ticketId, int offset, int limit) {
        return find("ticketId = ?1 order by createdAt desc, id desc", ticketId).range(offset, offset + limit - 1).list()
                .map(MessageRepository::reversed);
    }

    /** The {@code limit} messages just older than the position given. */
    public Uni<List<ChatMessage>> before(UUID ticketId, OffsetDateTime createdAt, UUID id, int limit) {
        return find("ticketId = ?1 and (createdAt < ?2 or (createdAt = ?2 and id < ?3)) order by createdAt desc, id desc",
                ticketId, createdAt, id).range(0, limit - 1).list().map(MessageRepository::reversed);
    }

    /** The {@code limit} messages just newer than the position given. */
    public Uni<List<ChatMessage>> after(UUID ticketId, OffsetDateTime createdAt, UUID id, int limit) {
        return find("ticketId = ?1 and (createdAt > ?2 or (createdAt = ?2 and id > ?3)) order by createdAt, id",
                ticketId, createdAt, id).range(0, limit - 1).list();
    }

    /**
     * Full-text search, best match first, over the given tickets (all tickets when null), skipping
     * deleted messages.
     */
    public Uni<List<ChatMessage>> search(String query, List<UUID> ticketIds, String memberId, int limit) {
        StringBuilder sql = new StringBuilder("select m.id from chat_message m where m.deleted_at is null"
                + " and m.search @@ websearch_to_tsquery('english', :q)");
        if (ticketIds != null) {
            sql.append(" and m.ticket_id in (:tickets)");
        }
        if (memberId != null) {
            sql.append(" and exists (select 1 from ticket_member t where t.ticket_id = m.ticket_id and t.user_id = :member)");
        }
        sql.append(" order by ts_rank(m.search, websearch_to_tsquery('english', :q)) desc, m.created_at desc limit :limit");
        return getSession().chain(s -> {
            var q = s.createNativeQuery(sql.toString(), UUID.class).setParameter("q", query).setParameter("limit", limit);
            if (ticketIds != null) {
                q.setParameter("tickets", ticketIds);
            }
            if (memberId != null) {
                q.setParameter("member", memberId);
            }
            return q.getResultList();
        }).chain(ids -> ids.isEmpty() ? Uni.createFrom().item(List.<ChatMessage>of())
                : list("id in ?1", ids).map(found -> ids.stream()
                        .map(id -> found.stream().filter(m -> m.id.equals(id)).findFirst().orElseThrow()).toList()));
    }

    /**
     * Moves the user's receipt forward to {@code messageId}; never back.
     *
     * @return true when it moved
     */
    public Uni<Boolean> advanceReceipt(UUID ticketId, String userId, UUID messageId, OffsetDateTime at) {
        return getSession().chain(s -> s.createNativeQuery("""
                insert into read_receipt (ticket_id, user_id, message_id, read_at) values (?1, ?2, ?3, ?4)
                on conflict (ticket_id, user_id) do update set message_id = excluded.message_id, read_at = excluded.read_at
                where (select row(m.created_at, m.id) from chat_message m where m.id = read_receipt.message_id)
                    < (select row(m.created_at, m.id) from chat_message m where m.id = excluded.message_id)""")
                .setParameter(1, ticketId).setParameter(2, userId).setParameter(3, messageId).setParameter(4, at)
                .executeUpdate()).map(n -> n > 0);
    }

    private static List<ChatMessage> reversed(List<ChatMessage> list) {
        List<ChatMessage> copy = new java.util.ArrayList<>(list);
        Collections.reverse(copy);
        return copy;
    }
}
