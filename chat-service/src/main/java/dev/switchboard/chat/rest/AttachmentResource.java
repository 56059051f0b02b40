package dev.switchboard.chat.rest;

import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import dev.switchboard.chat.attachment.AttachmentService;
import dev.switchboard.chat.mapping.ChatViews.AttachmentView;
import dev.switchboard.service.rest.Problem;
import dev.switchboard.service.rest.ProblemException;
import dev.switchboard.service.security.CurrentActor;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

@Path("/api/v1")
@Authenticated
@Tag(name = "Attachments")
@SecurityRequirement(name = "SecurityScheme")
@APIResponse(responseCode = "401", description = "No valid token")
@APIResponse(responseCode = "404", description = "No such ticket or attachment, or one the caller may not see", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class AttachmentResource {
    private final AttachmentService service;
    private final CurrentActor actor;
    private final Vertx vertx;

    AttachmentResource(AttachmentService service, CurrentActor actor, Vertx vertx) {
        this.service = service;
        this.actor = actor;
        this.vertx = vertx;
    }

    @POST
    @Path("/tickets/{id}/attachments")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Upload an attachment", description = "Form field file, at most 10 MB. Allowed types: "
            + "image/png, image/jpeg, image/gif, image/webp, application/pdf, text/plain; the content must really be "
            + "of the declared type (magic bytes). Send the returned id in a message's attachments.")
    @APIResponse(responseCode = "201", description = "Stored", content = @Content(schema = @Schema(implementation = AttachmentView.class)))
    @APIResponse(responseCode = "413", description = "Larger than 10 MB", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "415", description = "Type not allowed, or content not of that type", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> upload(@PathParam("id") String ticketId, @RestForm("file") FileUpload file) {
        if (file == null) {
            throw ProblemException.badRequest("no file", List.of(new Problem.FieldError("file", "must be a file")));
        }
        return vertx.fileSystem().readFile(file.uploadedFile().toString())
                .chain(bytes -> service.upload(actor.get(), ChatResource.id(ticketId), file.fileName(),
                        file.contentType(), bytes.getBytes()))
                .map(a -> Response.status(Response.Status.CREATED).type(MediaType.APPLICATION_JSON)
                        .entity(new AttachmentView(a.id(), a.filename(), a.contentType(), a.size(),
                                "/api/v1/attachments/" + a.id())).build());
    }

    @GET
    @Path("/attachments/{id}")
    @Operation(summary = "Download an attachment", description = "Served as a download (Content-Disposition: "
            + "attachment) with X-Content-Type-Options: nosniff, so a browser never runs it.")
    @APIResponse(responseCode = "200", description = "The bytes")
    public Uni<Response> download(@PathParam("id") String id) {
        return service.download(actor.get(), ChatResource.id(id)).map(d -> Response.ok(d.data())
                .type(d.attachment().contentType())
                .header("Content-Disposition", "attachment; filename=\"" + d.attachment().filename() + "\"")
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", "default-src 'none'; sandbox")
                .header("Cache-Control", "private, max-age=3600")
                .build());
    }
}
