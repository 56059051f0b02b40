package dev.switchboard.ticket.service;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import dev.switchboard.service.rest.Problem;
import dev.switchboard.service.rest.ProblemException;
import dev.switchboard.ticket.Ticket;

/** Position in the newest-first ticket list: the (created_at, id) of the last ticket of the previous page. */
public record TicketCursor(OffsetDateTime createdAt, UUID id) {
    public static TicketCursor of(Ticket ticket) {
        return new TicketCursor(ticket.createdAt, ticket.id);
    }

    public String encode() {
        String raw = createdAt + "|" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Null for the first page. */
    public static TicketCursor decode(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int bar = raw.indexOf('|');
            return new TicketCursor(OffsetDateTime.parse(raw.substring(0, bar)), UUID.fromString(raw.substring(bar + 1)));
        } catch (RuntimeException e) {
            throw ProblemException.badRequest("the cursor is not one this API returned",
                    List.of(new Problem.FieldError("cursor", "must be a next_cursor value from a previous page")));
        }
    }
}
