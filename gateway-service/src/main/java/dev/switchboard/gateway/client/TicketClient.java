package dev.switchboard.gateway.client;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/** ticket-service, called with the user's own token. Error statuses come back as responses, not exceptions. */
@RegisterRestClient(configKey = "ticket-service")
@Path("/api/v1")
public interface TicketClient {
    @GET
    @Path("/tickets")
    Uni<Response> list(@HeaderParam("Authorization") String authorization, @QueryParam("status") String status,
            @QueryParam("priority") String priority, @QueryParam("assignee") String assignee,
            @QueryParam("requester") String requester, @QueryParam("text") String text,
            @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit);

    @GET
    @Path("/tickets/{id}")
    Uni<Response> get(@HeaderParam("Authorization") String authorization, @PathParam("id") String id);

    @GET
    @Path("/tickets/{id}/activities")
    Uni<Response> activities(@HeaderParam("Authorization") String authorization, @PathParam("id") String id);

    @GET
    @Path("/users/{userId}/tickets")
    Uni<Response> userTickets(@HeaderParam("Authorization") String authorization, @PathParam("userId") String userId,
            @QueryParam("status") String status, @QueryParam("priority") String priority,
            @QueryParam("text") String text, @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit);
}
