package dev.switchboard.notification.repository;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.switchboard.notification.Notification;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
@WithSession
public class NotificationRepository implements PanacheRepositoryBase<Notification, UUID> {
    /** Serialises every change to one user's notifications, so each unread count published is exact. */
    public Uni<Void> lockUser(String userId) {
        return getSession().chain(s -> s.createNativeQuery(
                "select 1 from (select pg_advisory_xact_lock(hashtextextended('notification:' || ?1, 0))) l", Integer.class)
                .setParameter(1, userId).getSingleResult()).replaceWithVoid();
    }

    public Uni<Long> unread(String userId) {
        return count("userId = ?1 and readAt is null", userId);
    }

    public Uni<Notification> unreadCollapsed(String userId, UUID ticketId, String type) {
        return find("userId = ?1 and ticketId = ?2 and type = ?3 and readAt is null", userId, ticketId, type).firstResult();
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
