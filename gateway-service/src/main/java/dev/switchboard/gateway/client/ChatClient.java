package dev.switchboard.gateway.client;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

/** chat-service, called with the user's own token; a message is sent through {@link MessageSender}. */
@RegisterRestClient(configKey = "chat-service")
@Path("/api/v1")
public interface ChatClient {
    @GET
    @Path("/tickets/{id}/messages")
    Uni<Response> messages(@HeaderParam("Authorization") String authorization, @PathParam("id") String ticketId,
            @QueryParam("before") String before, @QueryParam("after") String after,
            @QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit);

    @POST
    @Path("/tickets/{id}/read")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> read(@HeaderParam("Authorization") String authorization, @PathParam("id") String ticketId,
            JsonNode body);
}
