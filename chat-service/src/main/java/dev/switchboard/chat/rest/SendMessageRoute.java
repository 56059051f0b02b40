package dev.switchboard.chat.rest;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.switchboard.chat.mapping.ChatRequests;
import dev.switchboard.chat.service.MessageService;
import dev.switchboard.jwt.RouteHeaders;
import dev.switchboard.service.rest.Problem;
import dev.switchboard.service.rest.ProblemMappers;
import dev.switchboard.service.security.Actor;
import dev.switchboard.service.security.CurrentActor;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /api/v1/tickets/{id}/messages} — the one request on a chat message's latency path,
 * which the gateway makes for every {@code send_message} — as a Vert.x route in front of the REST
 * layer. Under the chat benchmark the REST layer was about a third of chat-service's CPU (routing,
 * the security and validation interceptors, the request scope, the response writer); this route
 * does the same work with none of that: it checks the bearer token with the service's JWT parser,
 * reads the body with the service's {@link ObjectMapper}, validates it with the same constraints,
 * calls {@link MessageService#send} and writes 201 or 200 with the stored message, or the problem
 * {@link ProblemMappers#toProblem} makes of a failure, the same document the REST layer answers.
 * <p>
 * What it does not take, it passes on, untouched, to {@link ChatResource#send} (which stays the
 * documented operation): a request that is not JSON or does not accept JSON, a ticket id that is not
 * a UUID, a missing or invalid token (so a 401 keeps its problem body and {@code WWW-Authenticate}),
 * and a body without a length or over {@link #MAX_BODY} bytes (a message with inline files).
 */
@ApplicationScoped
public class SendMessageRoute {
    static final String PATH = "/api/v1/tickets/:id/messages";
    /** A text message of 4,000 characters is at most 16 KB of UTF-8; anything larger carries inline files. */
    static final int MAX_BODY = 64 * 1024;
    /** What the REST layer writes for a JSON entity (and only {@code application/problem+json} for a problem). */
    private static final String JSON_UTF8 = "application/json;charset=UTF-8";

    private final MessageService service;
    private final JWTParser jwt;
    private final ObjectMapper json;
    private final Validator validator;
    private final LongAdder handled = new LongAdder();

    SendMessageRoute(MessageService service, JWTParser jwt, ObjectMapper json, Validator validator) {
        this.service = service;
        this.jwt = jwt;
        this.json = json;
        this.validator = validator;
    }

    void install(@Observes Router router) {
        // Before the REST layer, which Quarkus mounts after the default order.
        router.post(PATH).order(RouteConstants.ROUTE_ORDER_DEFAULT).handler(this::handle);
    }

    /** Sends this route answered itself (for tests). */
    public long handled() {
        return handled.sum();
    }

    private void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        UUID ticketId = uuid(ctx.pathParam("id"));
        long length = RouteHeaders.contentLength(request.getHeader(HttpHeaders.CONTENT_LENGTH));
        Actor actor = ticketId == null || length < 0 || length > MAX_BODY || !RouteHeaders.isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))
                || !RouteHeaders.acceptsJson(request.getHeader(HttpHeaders.ACCEPT)) ? null : actor(request.getHeader(HttpHeaders.AUTHORIZATION));
        if (actor == null) {
            ctx.next();
            return;
        }
        handled.increment();
        // Hibernate Reactive (a message with attachments, a retry) runs only on a context marked as the request's own.
        VertxContextSafetyToggle.setCurrentContextSafe(true);
        request.body().onComplete(body -> {
            if (body.failed()) {
                ctx.fail(body.cause());
                return;
            }
            ChatRequests.SendMessage message;
            try {
                message = read(body.result());
            } catch (java.io.IOException | ConstraintViolationException e) {
                problem(ctx, ProblemMappers.toProblem(e));
                return;
            }
            try {
                service.send(actor, ticketId, message).subscribe().with(
                        sent -> respond(ctx, sent.created() ? 201 : 200, JSON_UTF8, sent.message()),
                        failure -> problem(ctx, ProblemMappers.toProblem(failure)));
            } catch (RuntimeException e) {
                problem(ctx, ProblemMappers.toProblem(e));
            }
        });
        // Quarkus holds a request's body back until a handler asks for it (the REST layer resumes it itself).
        request.resume();
    }

    /** The body as the REST layer reads it ({@code @NotNull @Valid}): an empty body or {@code null} is refused too. */
    private ChatRequests.SendMessage read(Buffer body) throws java.io.IOException {
        ChatRequests.SendMessage message = body.length() == 0 ? null
                : json.readValue(body.getBytes(), ChatRequests.SendMessage.class);
        if (message == null) {
            throw new ConstraintViolationException(validator.validateValue(Body.class, "request", null));
        }
        Set<ConstraintViolation<ChatRequests.SendMessage>> violations = validator.validate(message);
        if (!violations.isEmpty()) {
            throw new ConstraintViolationException(violations);
        }
        return message;
    }

    /** Names the missing body {@code request}, as the REST layer's violation path does. */
    private record Body(@jakarta.validation.constraints.NotNull ChatRequests.SendMessage request) {
    }

    private Actor actor(String authorization) {
        String token = RouteHeaders.bearer(authorization);
        if (token == null) {
            return null;
        }
        try {
            return CurrentActor.of(jwt.parse(token));
        } catch (ParseException | RuntimeException e) {
            return null; // the REST layer answers 401
        }
    }

    private void problem(RoutingContext ctx, Problem problem) {
        respond(ctx, problem.status(), Problem.MEDIA_TYPE, problem);
    }

    private void respond(RoutingContext ctx, int status, String contentType, Object entity) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(entity);
        } catch (JsonProcessingException e) {
            ctx.fail(e);
            return;
        }
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, contentType)
                .end(Buffer.buffer(bytes));
    }

    private static UUID uuid(String value) {
        if (value == null || value.length() != 36) {
            return null;
        }
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
