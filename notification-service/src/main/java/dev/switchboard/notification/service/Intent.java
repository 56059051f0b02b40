package dev.switchboard.notification.service;

import java.util.UUID;

/** A notification a rule wants to give one user; {@link NotificationService#deliver} decides. */
public record Intent(String userId, String type, UUID ticketId, String title, String body, String actorId) {
    public static final String TICKET_ASSIGNED = "TICKET_ASSIGNED";
    public static final String TICKET_STATUS_CHANGED = "TICKET_STATUS_CHANGED";
    public static final String COMMENT_ADDED = "COMMENT_ADDED";
    public static final String NEW_MESSAGE = "NEW_MESSAGE";
    public static final String MENTION = "MENTION";
}
