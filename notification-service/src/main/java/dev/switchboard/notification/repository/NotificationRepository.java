package dev.switchboard.notification.repository;

import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.switchboard.notification.Notification;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
@WithSession
public class NotificationRepository implements PanacheRepositoryBase<Notification, UUID> {
    /** The transaction-scoped lock on the user whose id the SQL expression gives (one key for both ways of locking). */
    private static String userLock(String id) {
        return "pg_advisory_xact_lock(hashtextextended('notification:' || " + id + ", 0))";
    }

    /** Serialises every change to one user's notifications, so each unread count published is exact. */
    public Uni<Void> lockUser(String userId) {
        return getSession().chain(s -> s.createNativeQuery(
                "select 1 from (select " + userLock("?1") + ") l", Integer.class)
                .setParameter(1, userId).getSingleResult()).replaceWithVoid();
    }

    /** {@link #lockUser} for each of the users, in one statement, in the users' order (callers sort them). */
    public Uni<Void> lockUsers(List<String> userIds) {
        if (userIds.size() == 1) {
            return lockUser(userIds.get(0));
        }
        StringBuilder values = new StringBuilder();
        for (int i = 1; i <= userIds.size(); i++) {
            values.append(i == 1 ? "" : ", ").append("(cast(?").append(i).append(" as text), ").append(i).append(')');
        }
        String sql = """
                select count(*) from (
                    select %s
                    from (select id from (values %s) as v(id, n) order by n) u) l""".formatted(userLock("u.id"), values);
        return getSession().chain(s -> {
            var query = s.createNativeQuery(sql, Long.class);
            for (int i = 0; i < userIds.size(); i++) {
                query.setParameter(i + 1, userIds.get(i));
            }
            return query.getSingleResult();
        }).replaceWithVoid();
    }

    /** The unread notifications of these users that count as {@link #unread}, per user (a user with none is absent). */
    public Uni<Map<String, Long>> unreadCounts(List<String> userIds) {
        return getSession().chain(s -> s.createSelectionQuery(
                "select n.userId, count(n) from Notification n where n.userId in (:users) and n.readAt is null group by n.userId",
                Object[].class).setParameter("users", userIds).getResultList()).map(rows -> {
                    Map<String, Long> counts = new HashMap<>();
                    rows.forEach(row -> counts.put((String) row[0], (Long) row[1]));
                    return counts;
                });
    }

    /** The users' unread notifications of the type on these tickets (each user's collapsed one per ticket). */
    public Uni<List<Notification>> unreadCollapsed(List<String> userIds, List<UUID> ticketIds, String type) {
        return list("userId in ?1 and ticketId in ?2 and type = ?3 and readAt is null", userIds, ticketIds, type);
    }

    public Uni<Long> unread(String userId) {
        return count("userId = ?1 and readAt is null", userId);
    }

    public Uni<List<Notification>> page(String userId, boolean unreadOnly, OffsetDateTime beforeTime, UUID beforeId,
            int limit) {
        String unread = unreadOnly ? " and readAt is null" : "";
        if (beforeTime == null) {
            return find("userId = ?1" + unread + " order by createdAt desc, id desc", userId).range(0, limit - 1).list();
        }
        return find("userId = ?1" + unread + " and (createdAt < ?2 or (createdAt = ?2 and id < ?3))"
                + " order by createdAt desc, id desc", userId, beforeTime, beforeId).range(0, limit - 1).list();
    }

    public Uni<List<Notification>> unreadOf(String userId) {
        return list("userId = ?1 and readAt is null", userId);
    }
}
