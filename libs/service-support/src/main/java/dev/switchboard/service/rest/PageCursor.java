package dev.switchboard.service.rest;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Position in a newest-first list ordered by (created_at, id): those of the last item of the
 * previous page, opaque to clients (base64url).
 */
public record PageCursor(OffsetDateTime createdAt, UUID id) {
    public String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((createdAt + "|" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** Null for the first page; 400 for a cursor this API did not hand out. */
    public static PageCursor decode(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int bar = raw.indexOf('|');
            return new PageCursor(OffsetDateTime.parse(raw.substring(0, bar)), UUID.fromString(raw.substring(bar + 1)));
        } catch (RuntimeException e) {
            throw ProblemException.badRequest("the cursor is not one this API returned",
                    List.of(new Problem.FieldError("cursor", "must be a next_cursor value from a previous page")));
        }
    }
}
