package dev.switchboard.chat.rest;

import java.util.List;
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
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.switchboard.chat.mapping.ChatRequests;
import dev.switchboard.chat.mapping.ChatViews.History;
import dev.switchboard.chat.mapping.ChatViews.MessageView;
import dev.switchboard.chat.mapping.ChatViews.Participant;
import dev.switchboard.chat.mapping.ChatViews.Receipt;
import dev.switchboard.chat.service.MessageService;
import dev.switchboard.service.rest.Problem;
import dev.switchboard.service.rest.ProblemException;
import dev.switchboard.service.security.CurrentActor;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

/**
 * The chat API: maps requests to {@link MessageService} and chooses status codes. A send is answered
 * by {@link SendMessageRoute} in front of this class, with the same answers; {@link #send} takes what
 * the route passes on, and documents the operation.
 */
@Path("/api/v1")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Chat")
@SecurityRequirement(name = "SecurityScheme")
@APIResponse(responseCode = "401", description = "No valid token")
@APIResponse(responseCode = "404", description = "No such ticket or message, or one the caller may not see", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class ChatResource {
    private final MessageService service;
    private final CurrentActor actor;

    ChatResource(MessageService service, CurrentActor actor) {
        this.service = service;
        this.actor = actor;
    }

    @GET
    @Path("/tickets/{id}/messages")
    @Operation(summary = "A ticket's chat history", description = "Pages of at most limit (1-100, default 50) "
            + "messages, oldest first within a page, ordered by created time then id. Without a cursor: the newest "
            + "messages (offset skips that many newest, for seed clients). before=<message id>: the messages just "
            + "older; after=<message id>: the messages just newer. next_before / next_after continue the walk.")
    @APIResponse(responseCode = "400", description = "Invalid cursor, offset or limit", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<History> history(@PathParam("id") String ticketId, @QueryParam("before") String before,
            @QueryParam("after") String after, @QueryParam("offset") String offset, @QueryParam("limit") String limit) {
        return service.history(actor.get(), id(ticketId), cursor("before", before), cursor("after", after),
                offset(offset), MessageService.checkLimit(limit));
    }

    @POST
    @Path("/tickets/{id}/messages")
    @Operation(summary = "Send a message", description = "message: up to 4000 characters, stored as written and "
            + "sanitised for HTML when read; message_type TEXT (default), FILE or IMAGE (with attachments); "
            + "client_msg_id makes a retry idempotent: 201 the first time, 200 with the same message after. Emits "
            + "switchboard.chat.message_created.v1.")
    @APIResponse(responseCode = "201", description = "Stored", content = @Content(schema = @Schema(implementation = MessageView.class)))
    @APIResponse(responseCode = "200", description = "A retry: the message stored before", content = @Content(schema = @Schema(implementation = MessageView.class)))
    @APIResponse(responseCode = "400", description = "Invalid text or attachments", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> send(@PathParam("id") String ticketId, @NotNull @Valid ChatRequests.SendMessage request) {
        return service.send(actor.get(), id(ticketId), request).map(sent -> Response
                .status(sent.created() ? Response.Status.CREATED : Response.Status.OK).entity(sent.message()).build());
    }

    @PATCH
    @Path("/messages/{id}")
    @Operation(summary = "Edit your own message", description = "Emits switchboard.chat.message_updated.v1.")
    @APIResponse(responseCode = "403", description = "Not the author", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<MessageView> edit(@PathParam("id") String messageId, @NotNull @Valid ChatRequests.EditMessage request) {
        return service.edit(actor.get(), id(messageId), request.message());
    }

    @DELETE
    @Path("/messages/{id}")
    @Operation(summary = "Delete your own message", description = "Soft delete: the message stays in the history as "
            + "deleted, without text. Emits switchboard.chat.message_deleted.v1.")
    @APIResponse(responseCode = "403", description = "Not the author", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<MessageView> delete(@PathParam("id") String messageId) {
        return service.delete(actor.get(), id(messageId));
    }

    @POST
    @Path("/tickets/{id}/read")
    @Operation(summary = "Read receipt", description = "Marks the ticket's chat read up to message_id. Receipts only "
            + "move forward; advanced tells whether this one did. Emits switchboard.chat.message_seen.v1 when it did.")
    public Uni<Receipt> markRead(@PathParam("id") String ticketId, @NotNull @Valid ChatRequests.MarkRead request) {
        return service.markRead(actor.get(), id(ticketId), request.messageId());
    }

    @GET
    @Path("/tickets/{id}/participants")
    @Operation(summary = "Who takes part in the ticket", description = "Requester, assignee and watchers, from the "
            + "ticket events chat-service has applied.")
    public Uni<List<Participant>> participants(@PathParam("id") String ticketId) {
        return service.participants(actor.get(), id(ticketId));
    }

    @GET
    @Path("/tickets/{id}/messages/search")
    @Operation(summary = "Search one ticket's chat", description = "PostgreSQL full-text search, best match first.")
    public Uni<List<MessageView>> searchTicket(@PathParam("id") String ticketId, @QueryParam("q") String q,
            @QueryParam("limit") String limit) {
        return service.search(actor.get(), id(ticketId), q, MessageService.checkLimit(limit));
    }

    @GET
    @Path("/messages/search")
    @Operation(summary = "Search every chat the caller can see", description = "Agents and admins search all tickets; "
            + "anyone else the tickets they take part in.")
    public Uni<List<MessageView>> searchAll(@QueryParam("q") String q, @QueryParam("limit") String limit) {
        return service.search(actor.get(), null, q, MessageService.checkLimit(limit));
    }

    /** An id that is not a UUID names nothing: 404 like any unknown id. */
    static UUID id(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound(value);
        }
    }

    private static UUID cursor(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(value.strip());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(field + " must be a message id",
                    List.of(new Problem.FieldError(field, "must be the id of a message")));
        }
    }

    private static int offset(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            int offset = Integer.parseInt(value.strip());
            if (offset >= 0 && offset <= 100_000) {
                return offset;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ProblemException.badRequest("offset must be between 0 and 100000",
                List.of(new Problem.FieldError("offset", "must be between 0 and 100000")));
    }
}
