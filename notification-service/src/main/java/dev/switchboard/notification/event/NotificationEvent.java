package dev.switchboard.notification.event;

import java.util.List;
import java.util.UUID;

import dev.switchboard.notification.mapping.NotificationViews.NotificationView;

/**
 * The data of the events on {@code switchboard.notification-events}, key = user id. Each carries the
 * user's unread count after the change, as a full value, for the gateway's {@code notification_count}.
 */
public sealed interface NotificationEvent {
    String TOPIC = "switchboard.notification-events";
    String SOURCE = "/notification-service";

    String userId();

    String type();

    /** A notification was created, or a collapsed one grew (same id, higher count). */
    record Created(String userId, NotificationView notification, long unread) implements NotificationEvent {
        public String type() {
            return "switchboard.notification.created.v1";
        }
    }

    record Read(String userId, List<UUID> notificationIds, long unread) implements NotificationEvent {
        public String type() {
            return "switchboard.notification.read.v1";
        }
    }
}
