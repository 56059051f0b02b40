package dev.switchboard.ticket.rest;

import jakarta.ws.rs.GET;
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

import dev.switchboard.service.rest.Problem;
import dev.switchboard.service.security.CurrentActor;
import dev.switchboard.ticket.mapping.TicketViews.Page;
import dev.switchboard.ticket.mapping.TicketViews.TicketView;
import dev.switchboard.ticket.service.TicketService;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

@Path("/api/v1/users/{userId}/tickets")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Tickets")
@SecurityRequirement(name = "SecurityScheme")
@APIResponse(responseCode = "401", description = "No valid token")
public class UserTicketsResource {
    private final TicketService service;
    private final CurrentActor actor;

    UserTicketsResource(TicketService service, CurrentActor actor) {
        this.service = service;
        this.actor = actor;
    }

    @GET
    @Operation(summary = "A user's tickets", description = "Tickets the user is requester, assignee or watcher of, "
            + "newest first, with the same filters as GET /tickets. Customers may list only their own.")
    @APIResponse(responseCode = "200", description = "One page of tickets")
    @APIResponse(responseCode = "403", description = "A customer asked for someone else's tickets", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Page<TicketView>> tickets(@PathParam("userId") String userId, @QueryParam("status") String status,
            @QueryParam("priority") String priority, @QueryParam("text") String text,
            @QueryParam("cursor") String cursor, @QueryParam("limit") String limit) {
        return service.userTickets(actor.get(), userId, TicketResource.filter(status, priority, null, null, text), cursor,
                TicketResource.checkLimit(limit));
    }
}
