package dev.switchboard.notification.rest;

import java.util.UUID;

import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.switchboard.notification.mapping.NotificationViews.Page;
import dev.switchboard.notification.mapping.NotificationViews.Preferences;
import dev.switchboard.notification.mapping.NotificationViews.UnreadCount;
import dev.switchboard.notification.service.NotificationService;
import dev.switchboard.service.rest.Paging;
import dev.switchboard.service.rest.Problem;
import dev.switchboard.service.rest.ProblemException;
import dev.switchboard.service.security.CurrentActor;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

/** The caller's own notifications and preferences; nobody reads anyone else's. */
@Path("/api/v1")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Notifications")
@SecurityRequirement(name = "SecurityScheme")
@APIResponse(responseCode = "401", description = "No valid token")
public class NotificationResource {
    private final NotificationService service;
    private final CurrentActor actor;

    NotificationResource(NotificationService service, CurrentActor actor) {
        this.service = service;
        this.actor = actor;
    }

    @GET
    @Path("/notifications")
    @Operation(summary = "Your notifications", description = "Newest first, limit 1-100 (default 20); unread_only=true "
            + "for unread ones. Also returns the unread count.")
    @APIResponse(responseCode = "400", description = "Invalid cursor or limit", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Page> list(@QueryParam("cursor") String cursor, @QueryParam("limit") String limit,
            @QueryParam("unread_only") boolean unreadOnly) {
        return service.list(actor.get().id(), unreadOnly, cursor, Paging.limit(limit, 20));
    }

    @GET
    @Path("/notifications/unread-count")
    @Operation(summary = "Your unread count", description = "Always the full value.")
    public Uni<UnreadCount> unread() {
        return service.unread(actor.get().id()).map(UnreadCount::new);
    }

    @POST
    @Path("/notifications/{id}/read")
    @Operation(summary = "Mark one notification read", description = "Emits switchboard.notification.read.v1 with the new unread count.")
    @APIResponse(responseCode = "404", description = "Not one of your notifications", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<UnreadCount> read(@PathParam("id") String id) {
        UUID notificationId;
        try {
            notificationId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("notification " + id);
        }
        return service.markRead(actor.get().id(), notificationId).map(UnreadCount::new);
    }

    @POST
    @Path("/notifications/read-all")
    @Operation(summary = "Mark all read", description = "Emits switchboard.notification.read.v1 with unread 0.")
    public Uni<UnreadCount> readAll() {
        return service.markAllRead(actor.get().id()).map(UnreadCount::new);
    }

    @GET
    @Path("/preferences")
    @Operation(summary = "Your notification preferences")
    public Uni<Preferences> preferences() {
        return service.preferences(actor.get().id());
    }

    @PUT
    @Path("/preferences")
    @Operation(summary = "Set your notification preferences", description = "muted_types (e.g. NEW_MESSAGE) and "
            + "muted_ticket_ids: nothing of those types, or about those tickets, is created for you.")
    @APIResponse(responseCode = "400", description = "Invalid preferences", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Preferences> savePreferences(@NotNull Preferences preferences) {
        return service.savePreferences(actor.get().id(), preferences);
    }
}
