package dev.switchboard.notification.mapping;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import dev.switchboard.notification.Notification;

public final class NotificationViews {
    private NotificationViews() {
    }

    public record NotificationView(UUID id, String userId, String type, UUID ticketId, String title, String body,
            int count, String actorId, OffsetDateTime createdAt, OffsetDateTime updatedAt, boolean read) {
        public static NotificationView of(Notification n) {
            return new NotificationView(n.id, n.userId, n.type, n.ticketId, n.title, n.body, n.count, n.actorId,
                    n.createdAt, n.updatedAt, n.readAt != null);
        }
    }

    /** Newest first; pass {@code next_cursor} as {@code cursor} for the next page. */
    public record Page(List<NotificationView> items, String nextCursor, long unread) {
    }

    /** Always the full value, never a delta. */
    public record UnreadCount(long unread) {
    }

    public record Preferences(List<String> mutedTypes, List<UUID> mutedTicketIds) {
    }
}
