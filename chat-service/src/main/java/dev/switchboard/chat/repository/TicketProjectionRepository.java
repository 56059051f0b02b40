package dev.switchboard.chat.repository;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.switchboard.chat.TicketProjection;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
@WithSession
public class TicketProjectionRepository implements PanacheRepositoryBase<TicketProjection, UUID> {
    public Uni<Boolean> isMember(UUID ticketId, String userId) {
        return getSession().chain(s -> s.createNativeQuery(
                "select count(*) from ticket_member where ticket_id = ?1 and user_id = ?2", Long.class)
                .setParameter(1, ticketId).setParameter(2, userId).getSingleResult()).map(n -> n > 0);
    }

    public record Member(String userId, String role) {
    }

    public Uni<List<Member>> members(UUID ticketId) {
        return getSession().chain(s -> s.createNativeQuery(
                "select user_id, role from ticket_member where ticket_id = ?1 order by role, user_id", Object[].class)
                .setParameter(1, ticketId).getResultList())
                .map(rows -> rows.stream().map(r -> new Member((String) r[0], (String) r[1])).toList());
    }

    /** Replaces the members with those of the ticket event just applied. */
    public Uni<Void> replaceMembers(UUID ticketId, List<Member> members) {
        return getSession().chain(s -> s.createNativeQuery("delete from ticket_member where ticket_id = ?1")
                .setParameter(1, ticketId).executeUpdate()
                .chain(() -> {
                    Uni<Integer> chain = Uni.createFrom().item(0);
                    for (Member m : members) {
                        chain = chain.chain(() -> s.createNativeQuery(
                                "insert into ticket_member (ticket_id, user_id, role) values (?1, ?2, ?3) on conflict do nothing")
                                .setParameter(1, ticketId).setParameter(2, m.userId()).setParameter(3, m.role())
                                .executeUpdate());
                    }
                    return chain;
                })).replaceWithVoid();
    }
}
