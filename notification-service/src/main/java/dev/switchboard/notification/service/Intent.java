package dev.switchboard.notification.service;

import java.util.UUID;

/**
 * A notification a rule wants to give one user; {@link NotificationService#deliver} decides. {@code count}
 * is how many events it stands for: new messages of one poll on the same ticket are one intent.
 */
public record Intent(String userId, String type, UUID ticketId, String title, String body, String actorId, int count) {
    public Intent(String userId, String type, UUID ticketId, String title, String body, String actorId) {
        this(userId, type, ticketId, title, body, actorId, 1);
    }

    public static final String TICKET_ASSIGNED = "TICKET_ASSIGNED";
    public static final String TICKET_STATUS_CHANGED = "TICKET_STATUS_CHANGED";
    public static final String COMMENT_ADDED = "COMMENT_ADDED";
    public static final String NEW_MESSAGE = "NEW_MESSAGE";
    public static final String MENTION = "MENTION";
}
