package dev.switchboard.ticket.mapping;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.switchboard.ticket.ActivityAction;
import dev.switchboard.ticket.Comment;
import dev.switchboard.ticket.Priority;
import dev.switchboard.ticket.Ticket;
import dev.switchboard.ticket.TicketStatus;
import dev.switchboard.ticket.Visibility;

/** Response bodies of the ticket API. */
public final class TicketViews {
    private TicketViews() {
    }

    public record TicketView(UUID id, String number, String title, String description, TicketStatus status,
            Priority priority, String requesterId, String assigneeId, List<String> watcherIds, long version,
            OffsetDateTime createdAt, OffsetDateTime updatedAt) {
        public static TicketView of(Ticket t, List<String> watcherIds) {
            return new TicketView(t.id, t.humanNumber(), t.title, t.description, t.status, t.priority, t.requesterId,
                    t.assigneeId, watcherIds, t.version, t.createdAt, t.updatedAt);
        }
    }

    public record CommentView(UUID id, UUID ticketId, String authorId, String authorName, String body,
            Visibility visibility, OffsetDateTime createdAt) {
        public static CommentView of(Comment c) {
            return new CommentView(c.id, c.ticketId, c.authorId, c.authorName, c.body, c.visibility, c.createdAt);
        }
    }

    /** {@code before} and {@code after} hold the changed fields only. */
    public record ActivityView(long id, UUID ticketId, String actorId, String actorName, ActivityAction action,
            Map<String, Object> before, Map<String, Object> after, OffsetDateTime createdAt) {
    }

    /** One page; pass {@code next_cursor} as {@code cursor} for the next, null on the last page. */
    public record Page<T>(List<T> items, String nextCursor) {
    }
}
