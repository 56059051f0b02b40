package dev.switchboard.ticket.mapping;

import java.util.List;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

import dev.switchboard.ticket.Priority;
import dev.switchboard.ticket.TicketStatus;
import dev.switchboard.ticket.Visibility;

/** Request bodies of the ticket API (JSON field names in snake_case). */
public final class TicketRequests {
    public static final int TITLE_MAX = 200;
    public static final int TEXT_MAX = 20_000;
    public static final int USER_ID_MAX = 200;

    private TicketRequests() {
    }

    /**
     * @param requesterId agents and admins may open a ticket on someone's behalf; others open their own
     * @param watcherIds users to add as watchers (agents and admins only)
     */
    public record CreateTicket(
            @NotBlank @Size(max = TITLE_MAX) String title,
            @Size(max = TEXT_MAX) String description,
            Priority priority,
            @Size(max = USER_ID_MAX) String requesterId,
            @Size(max = 50) List<@NotBlank @Size(max = USER_ID_MAX) String> watcherIds) {
    }

    /** Fields left out stay as they are; {@code version} is the version the client read. */
    public record UpdateTicket(
            @Size(min = 1, max = TITLE_MAX) @Pattern(regexp = "(?s).*\\S.*", message = "must not be blank") String title,
            @Size(max = TEXT_MAX) String description,
            Priority priority,
            @NotNull @PositiveOrZero Long version) {
    }

    /** {@code version}, when given, must be the current one. */
    public record ChangeStatus(@NotNull TicketStatus status, @PositiveOrZero Long version) {
    }

    /** A null {@code assignee_id} unassigns. */
    public record Assign(@Size(min = 1, max = USER_ID_MAX) String assigneeId) {
    }

    public record AddComment(@NotBlank @Size(max = TEXT_MAX) String body, Visibility visibility) {
    }
}
