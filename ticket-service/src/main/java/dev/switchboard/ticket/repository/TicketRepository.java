package dev.switchboard.ticket.repository;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.switchboard.service.rest.PageCursor;
import dev.switchboard.ticket.Ticket;
import dev.switchboard.ticket.service.TicketService;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
@WithSession
public class TicketRepository implements PanacheRepositoryBase<Ticket, UUID> {
    /**
     * Newest first, after {@code cursor}, matching {@code filter}; only tickets {@code participantId}
     * takes part in when it is not null.
     */
    public Uni<List<Ticket>> search(TicketService.TicketFilter filter, String participantId, PageCursor cursor,
            int limit) {
        StringBuilder sql = new StringBuilder("select t.id from ticket t where true");
        Map<String, Object> params = new LinkedHashMap<>();
        if (participantId != null) {
            sql.append(" and exists (select 1 from ticket_participant p where p.ticket_id = t.id and p.user_id = :participant)");
            params.put("participant", participantId);
        }
        if (filter.statuses() != null && !filter.statuses().isEmpty()) {
            sql.append(" and t.status in (:statuses)");
            params.put("statuses", filter.statuses().stream().map(Enum::name).toList());
        }
        if (filter.priority() != null) {
            sql.append(" and t.priority = :priority");
            params.put("priority", filter.priority().name());
        }
        if (filter.assigneeId() != null) {
            sql.append(" and t.assignee_id = :assignee");
            params.put("assignee", filter.assigneeId());
        }
        if (filter.requesterId() != null) {
            sql.append(" and t.requester_id = :requester");
            params.put("requester", filter.requesterId());
        }
        if (filter.text() != null && !filter.text().isBlank()) {
            sql.append(" and (t.search @@ websearch_to_tsquery('english', :text)"
                    + " or t.title ilike :like escape '\\' or upper(:text) = 'SB-' || t.number)");
            params.put("text", filter.text().strip());
            params.put("like", "%" + filter.text().strip().replace("\\", "\\\\").replace("%", "\\%")
                    .replace("_", "\\_") + "%");
        }
        if (cursor != null) {
            sql.append(" and (t.created_at, t.id) < (:cursor_time, :cursor_id)");
            params.put("cursor_time", cursor.createdAt());
            params.put("cursor_id", cursor.id());
        }
        sql.append(" order by t.created_at desc, t.id desc limit :limit");
        params.put("limit", limit);
        // The filter needs SQL (full-text search); the entities are then loaded by id, in the same order.
        return getSession().chain(session -> {
            var query = session.createNativeQuery(sql.toString(), UUID.class);
            params.forEach(query::setParameter);
            return query.getResultList();
        }).chain(ids -> ids.isEmpty() ? Uni.createFrom().item(List.<Ticket>of())
                : list("id in ?1", ids).map(found -> {
                    Map<UUID, Ticket> byId = new HashMap<>();
                    found.forEach(t -> byId.put(t.id, t));
                    return ids.stream().map(byId::get).toList();
                }));
    }

    public Uni<Long> nextNumber() {
        return getSession().chain(s -> s.createNativeQuery("select nextval('ticket_number_seq')", Long.class)
                .getSingleResult());
    }
}
