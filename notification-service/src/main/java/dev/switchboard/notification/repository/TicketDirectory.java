package dev.switchboard.notification.repository;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.switchboard.messaging.cloudevents.InvalidCloudEventException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * notification-service's projection of tickets: number, title and participants, taken from the
 * snapshot every ticket event carries whenever it is at least as new as the one stored.
 */
@ApplicationScoped
public class TicketDirectory {
    private final ObjectMapper json;

    TicketDirectory(ObjectMapper json) {
        this.json = json;
    }

    public record Ticket(UUID id, String number, String title, String requesterId, String assigneeId,
            List<String> watcherIds) {
        /** Requester, assignee and watchers, once each. */
        public List<String> participants() {
            List<String> all = new ArrayList<>();
            all.add(requesterId);
            if (assigneeId != null) {
                all.add(assigneeId);
            }
            all.addAll(watcherIds);
            return all.stream().distinct().toList();
        }
    }

    /** Reads a ticket event's snapshot. */
    public static Ticket fromSnapshot(JsonNode snapshot) {
        List<String> watchers = new ArrayList<>();
        snapshot.path("watcher_ids").forEach(w -> watchers.add(w.asText()));
        try {
            return new Ticket(UUID.fromString(snapshot.path("id").asText()), text(snapshot, "number"),
                    text(snapshot, "title"), text(snapshot, "requester_id"),
                    snapshot.path("assignee_id").isTextual() ? snapshot.path("assignee_id").asText() : null, watchers);
        } catch (IllegalArgumentException e) {
            throw new InvalidCloudEventException("ticket snapshot with an invalid id");
        }
    }

    private static String text(JsonNode node, String field) {
        if (!node.path(field).isTextual()) {
            throw new InvalidCloudEventException("ticket snapshot without " + field);
        }
        return node.path(field).asText();
    }

    /** Stores the snapshot unless a newer version is stored already. */
    public Uni<Void> apply(Ticket t, long version) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                insert into ticket_projection (ticket_id, number, title, requester_id, assignee_id, version)
                values (?1, ?2, ?3, ?4, ?5, ?6)
                on conflict (ticket_id) do update set number = excluded.number, title = excluded.title,
                    requester_id = excluded.requester_id, assignee_id = excluded.assignee_id, version = excluded.version
                where ticket_projection.version <= excluded.version""")
                .setParameter(1, t.id()).setParameter(2, t.number()).setParameter(3, t.title())
                .setParameter(4, t.requesterId()).setParameter(5, t.assigneeId()).setParameter(6, version)
                .executeUpdate()
                .chain(applied -> applied == 0 ? Uni.createFrom().voidItem() : replaceMembers(s, t)));
    }

    private Uni<Void> replaceMembers(org.hibernate.reactive.mutiny.Mutiny.Session s, Ticket t) {
        Uni<Integer> chain = s.createNativeQuery("delete from ticket_member where ticket_id = ?1").setParameter(1, t.id())
                .executeUpdate();
        List<String[]> members = new ArrayList<>();
        members.add(new String[] {t.requesterId(), "REQUESTER"});
        if (t.assigneeId() != null) {
            members.add(new String[] {t.assigneeId(), "ASSIGNEE"});
        }
        t.watcherIds().forEach(w -> members.add(new String[] {w, "WATCHER"}));
        for (String[] m : members) {
            chain = chain.chain(() -> s.createNativeQuery("insert into ticket_member (ticket_id, user_id, role)"
                    + " values (?1, ?2, ?3) on conflict do nothing")
                    .setParameter(1, t.id()).setParameter(2, m[0]).setParameter(3, m[1]).executeUpdate());
        }
        return chain.replaceWithVoid();
    }

    /**
     * The ticket as last projected, or null when no event about it has arrived yet: one query, the
     * projection and its watchers as one JSON text in the shape of a ticket event's snapshot.
     */
    public Uni<Ticket> find(UUID ticketId) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                select json_build_object('id', p.ticket_id, 'number', p.number, 'title', p.title,
                    'requester_id', p.requester_id, 'assignee_id', p.assignee_id,
                    'watcher_ids', coalesce((select json_agg(m.user_id) from ticket_member m
                        where m.ticket_id = p.ticket_id and m.role = 'WATCHER'), '[]'::json))::text
                from ticket_projection p where p.ticket_id = ?1""", String.class)
                .setParameter(1, ticketId).getResultList())
                .map(rows -> rows.isEmpty() ? null : fromSnapshot(readTree(rows.get(0))));
    }

    private JsonNode readTree(String text) {
        try {
            return json.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the ticket projection's JSON", e);
        }
    }
}
