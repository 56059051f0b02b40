package dev.switchboard.ticket.rest;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.switchboard.service.rest.Problem;
import dev.switchboard.service.rest.Paging;
import dev.switchboard.service.rest.ProblemException;
import dev.switchboard.service.security.CurrentActor;
import dev.switchboard.ticket.Priority;
import dev.switchboard.ticket.TicketStatus;
import dev.switchboard.ticket.mapping.TicketRequests;
import dev.switchboard.ticket.mapping.TicketViews.ActivityView;
import dev.switchboard.ticket.mapping.TicketViews.CommentView;
import dev.switchboard.ticket.mapping.TicketViews.Page;
import dev.switchboard.ticket.mapping.TicketViews.TicketView;
import dev.switchboard.ticket.service.TicketService.TicketFilter;
import dev.switchboard.ticket.service.TicketService;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

/** The ticket API; it maps requests to {@link TicketService} and chooses status codes, nothing more. */
@Path("/api/v1/tickets")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Tickets")
@SecurityRequirement(name = "SecurityScheme")
@APIResponse(responseCode = "401", description = "No valid token")
public class TicketResource {
    static final int DEFAULT_LIMIT = 20;

    private final TicketService service;
    private final CurrentActor actor;

    TicketResource(TicketService service, CurrentActor actor) {
        this.service = service;
        this.actor = actor;
    }

    @POST
    @Operation(summary = "Open a ticket", description = "The caller becomes the requester unless an agent or admin "
            + "names another requester_id. Emits switchboard.ticket.created.v1.")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(schema = @Schema(implementation = TicketView.class)))
    @APIResponse(responseCode = "400", description = "Invalid fields", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "A customer named another requester or watchers", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> create(@NotNull @Valid TicketRequests.CreateTicket request) {
        return service.create(actor.get(), request)
                .map(ticket -> Response.status(Response.Status.CREATED).entity(ticket)
                        .header("Location", "/api/v1/tickets/" + ticket.id()).build());
    }

    @GET
    @Operation(summary = "List tickets", description = "Newest first. Agents and admins see every ticket, anyone else "
            + "only the tickets they take part in. Pass next_cursor as cursor for the next page.")
    @APIResponse(responseCode = "200", description = "One page of tickets")
    @APIResponse(responseCode = "400", description = "Invalid filter, cursor or limit", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Page<TicketView>> list(
            @Parameter(description = "Status, or several separated by commas", schema = @Schema(type = SchemaType.STRING, example = "OPEN,IN_PROGRESS")) @QueryParam("status") String status,
            @QueryParam("priority") String priority,
            @Parameter(description = "Assignee user id") @QueryParam("assignee") String assignee,
            @Parameter(description = "Requester user id") @QueryParam("requester") String requester,
            @Parameter(description = "Full-text search over title and description, or a ticket number such as SB-1042") @QueryParam("text") String text,
            @QueryParam("cursor") String cursor,
            @Parameter(description = "Page size, 1 to 100") @QueryParam("limit") String limit) {
        return service.list(actor.get(), filter(status, priority, assignee, requester, text), cursor, checkLimit(limit));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Get a ticket")
    @APIResponse(responseCode = "200", description = "The ticket")
    @APIResponse(responseCode = "404", description = "No such ticket, or one the caller may not see", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<TicketView> get(@PathParam("id") String id) {
        return service.get(actor.get(), ticketId(id));
    }

    @PATCH
    @Path("/{id}")
    @Operation(summary = "Edit title, description or priority", description = "version must be the version the client "
            + "read; a stale one is refused with 409. The requester may edit title and description; priority is for "
            + "agents and admins. Emits switchboard.ticket.updated.v1.")
    @APIResponse(responseCode = "200", description = "The updated ticket")
    @APIResponse(responseCode = "409", description = "Stale version", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<TicketView> update(@PathParam("id") String id, @NotNull @Valid TicketRequests.UpdateTicket request) {
        return service.update(actor.get(), ticketId(id), request);
    }

    @POST
    @Path("/{id}/status")
    @Operation(summary = "Change the status", description = "Along the state machine OPEN -> IN_PROGRESS, "
            + "WAITING_ON_CUSTOMER, RESOLVED, CLOSED; RESOLVED and CLOSED reopen to OPEN. An illegal move is "
            + "refused with 409 and the allowed next states. The requester may only close or reopen. Emits "
            + "switchboard.ticket.status_changed.v1.")
    @APIResponse(responseCode = "200", description = "The updated ticket")
    @APIResponse(responseCode = "409", description = "Illegal transition (allowed lists the next states) or stale version", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<TicketView> changeStatus(@PathParam("id") String id, @NotNull @Valid TicketRequests.ChangeStatus request) {
        return service.changeStatus(actor.get(), ticketId(id), request);
    }

    @POST
    @Path("/{id}/assignee")
    @Operation(summary = "Assign or unassign (agents and admins)", description = "assignee_id null unassigns. Emits "
            + "switchboard.ticket.assigned.v1 and participant_added/participant_removed for the assignees.")
    @APIResponse(responseCode = "200", description = "The updated ticket")
    @APIResponse(responseCode = "403", description = "The caller is not an agent or admin", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<TicketView> assign(@PathParam("id") String id, @NotNull @Valid TicketRequests.Assign request) {
        return service.assign(actor.get(), ticketId(id), request);
    }

    @POST
    @Path("/{id}/watchers/{userId}")
    @Operation(summary = "Add a watcher", description = "Agents and admins add anyone; a participant only themselves. "
            + "Emits switchboard.ticket.participant_added.v1.")
    @APIResponse(responseCode = "200", description = "The updated ticket")
    public Uni<TicketView> addWatcher(@PathParam("id") String id, @PathParam("userId") String userId) {
        return service.addWatcher(actor.get(), ticketId(id), userId(userId));
    }

    @DELETE
    @Path("/{id}/watchers/{userId}")
    @Operation(summary = "Remove a watcher", description = "Agents and admins remove anyone; a participant only "
            + "themselves. Emits switchboard.ticket.participant_removed.v1.")
    @APIResponse(responseCode = "200", description = "The updated ticket")
    public Uni<TicketView> removeWatcher(@PathParam("id") String id, @PathParam("userId") String userId) {
        return service.removeWatcher(actor.get(), ticketId(id), userId(userId));
    }

    @GET
    @Path("/{id}/comments")
    @Operation(summary = "List comments", description = "Oldest first. INTERNAL comments are listed only for agents and admins.")
    public Uni<List<CommentView>> comments(@PathParam("id") String id) {
        return service.comments(actor.get(), ticketId(id));
    }

    @POST
    @Path("/{id}/comments")
    @Operation(summary = "Add a comment", description = "visibility PUBLIC (default) or INTERNAL (agents and admins). "
            + "Emits switchboard.ticket.comment_added.v1.")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(schema = @Schema(implementation = CommentView.class)))
    public Uni<Response> addComment(@PathParam("id") String id, @NotNull @Valid TicketRequests.AddComment request) {
        return service.addComment(actor.get(), ticketId(id), request)
                .map(comment -> Response.status(Response.Status.CREATED).entity(comment).build());
    }

    @GET
    @Path("/{id}/activities")
    @Operation(summary = "The activity log", description = "Every change with actor, time and the values before and "
            + "after, oldest first. Entries of INTERNAL comments are shown only to agents and admins.")
    public Uni<List<ActivityView>> activities(@PathParam("id") String id) {
        return service.activities(actor.get(), ticketId(id));
    }

    static TicketFilter filter(String status, String priority, String assignee, String requester, String text) {
        return new TicketFilter(statuses(status), parse(Priority.class, "priority", priority), blankToNull(assignee),
                blankToNull(requester), blankToNull(text));
    }

    static int checkLimit(String value) {
        return Paging.limit(value, DEFAULT_LIMIT);
    }

    /** An id that is not a UUID cannot name a ticket: 404, like any other unknown id. */
    static UUID ticketId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("ticket " + id);
        }
    }

    private static String userId(String userId) {
        if (userId == null || userId.isBlank() || userId.length() > TicketRequests.USER_ID_MAX) {
            throw ProblemException.badRequest("invalid user id", List.of(new Problem.FieldError("user_id",
                    "must be 1 to " + TicketRequests.USER_ID_MAX + " characters")));
        }
        return userId;
    }

    private static Set<TicketStatus> statuses(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Set<TicketStatus> statuses = EnumSet.noneOf(TicketStatus.class);
        for (String part : value.split(",")) {
            statuses.add(parse(TicketStatus.class, "status", part));
        }
        return statuses;
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("unknown " + field + " " + value, List.of(new Problem.FieldError(field,
                    "must be one of " + java.util.Arrays.toString(type.getEnumConstants()))));
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
