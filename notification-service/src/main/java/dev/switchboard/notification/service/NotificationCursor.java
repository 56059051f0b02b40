package dev.switchboard.notification.service;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import dev.switchboard.notification.Notification;
import dev.switchboard.service.rest.Problem;
import dev.switchboard.service.rest.ProblemException;

/** Position in the newest-first list: (created_at, id) of the last notification of the previous page. */
record NotificationCursor(OffsetDateTime createdAt, UUID id) {
    static NotificationCursor of(Notification n) {
        return new NotificationCursor(n.createdAt, n.id);
    }

    String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((createdAt + "|" + id).getBytes(StandardCharsets.UTF_8));
    }

    static NotificationCursor decode(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int bar = raw.indexOf('|');
            return new NotificationCursor(OffsetDateTime.parse(raw.substring(0, bar)), UUID.fromString(raw.substring(bar + 1)));
        } catch (RuntimeException e) {
            throw ProblemException.badRequest("the cursor is not one this API returned",
                    List.of(new Problem.FieldError("cursor", "must be a next_cursor value from a previous page")));
        }
    }
}
