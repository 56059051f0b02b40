package dev.switchboard.gateway.client;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/** notification-service, called with the user's own token. */
@RegisterRestClient(configKey = "notification-service")
@Path("/api/v1/notifications")
public interface NotificationClient {
    @GET
    Uni<Response> list(@HeaderParam("Authorization") String authorization, @QueryParam("cursor") String cursor,
            @QueryParam("limit") Integer limit, @QueryParam("unread_only") Boolean unreadOnly);

    @POST
    @Path("/{id}/read")
    Uni<Response> read(@HeaderParam("Authorization") String authorization, @PathParam("id") String id);

    @POST
    @Path("/read-all")
    Uni<Response> readAll(@HeaderParam("Authorization") String authorization);
}
