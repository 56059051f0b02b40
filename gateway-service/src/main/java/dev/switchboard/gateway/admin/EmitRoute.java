package dev.switchboard.gateway.admin;

import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.gateway.broker.RedisBroker;
import dev.switchboard.gateway.websocket.FrameCodec;
import dev.switchboard.jwt.RouteHeaders;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /api/v1/realtime/emit} — the batch emit, which services and the benchmark send many times a second —
 * as a Vert.x route in front of the REST layer (as chat-service's send does). Under the fan-out benchmark (100 rooms
 * of 10, 500 requests a second of 8 events) the REST layer around {@link RealtimeResource#emitBatch} was a fifth of
 * the gateway's CPU: its handler chain, the security interceptors, the request scope, Mutiny and the response writer,
 * more than the checks and the Redis write themselves. This route does the same work with none of that: the bearer
 * token is checked with the gateway's JWT parser (the one the REST layer uses, which remembers verified tokens), the
 * body is read with the same mapper and checked by {@link Emits} as the REST operation checks it, and the answer is
 * the same 202 (or 400 problem) document.
 * <p>
 * What it does not take, it passes on untouched to {@link RealtimeResource#emitBatch}, which stays the documented
 * operation: a request that is not JSON or does not accept JSON, a missing or invalid token or one without the admin
 * role (so 401 and 403 keep their answers), and a body without a length or over {@link #MAX_BODY} bytes.
 */
@ApplicationScoped
public class EmitRoute {
    static final String PATH = "/api/v1/realtime/emit";
    /** 100 events (the most a batch may have) of a few KB each; a larger body goes to the REST layer. */
    static final int MAX_BODY = 1024 * 1024;
    private static final String JSON_UTF8 = "application/json;charset=UTF-8";
    private static final String PROBLEM = "application/problem+json";

    private final Emits emits;
    private final RedisBroker broker;
    private final FrameCodec codec;
    private final JWTParser jwt;
    private final LongAdder handled = new LongAdder();

    EmitRoute(Emits emits, RedisBroker broker, FrameCodec codec, JWTParser jwt) {
        this.emits = emits;
        this.broker = broker;
        this.codec = codec;
        this.jwt = jwt;
    }

    void install(@Observes Router router) {
        // Before the REST layer, which Quarkus mounts after the default order.
        router.post(PATH).order(RouteConstants.ROUTE_ORDER_DEFAULT).handler(this::handle);
    }

    /** Batch emits this route answered itself (for tests). */
    public long handled() {
        return handled.sum();
    }

    private void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        long length = RouteHeaders.contentLength(request.getHeader(HttpHeaders.CONTENT_LENGTH));
        if (length < 0 || length > MAX_BODY || !RouteHeaders.isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))
                || !RouteHeaders.acceptsJson(request.getHeader(HttpHeaders.ACCEPT)) || !isAdmin(request.getHeader(HttpHeaders.AUTHORIZATION))) {
            ctx.next();
            return;
        }
        handled.increment();
        request.body().onComplete(body -> {
            if (body.failed()) {
                ctx.fail(body.cause());
                return;
            }
            JsonNode json;
            try {
                json = read(body.result());
            } catch (IOException e) {
                // what the REST layer answers for a body it cannot read (RestProblems)
                respond(ctx, 400, PROBLEM, codec.problemBody(400, RestProblems.UNREADABLE));
                return;
            }
            Emits.Batch batch = emits.batch(json);
            if (batch.problem() != null) {
                respond(ctx, 400, PROBLEM, codec.problemBody(400, batch.problem()));
                return;
            }
            broker.publishRoomEvents(batch.events()).subscribe().with(
                    seqs -> respond(ctx, 202, JSON_UTF8, emits.accepted(batch.events(), seqs)),
                    failure -> respond(ctx, 500, PROBLEM, codec.problemBody(500, RestProblems.FAILED)));
        });
        // Quarkus holds a request's body back until a handler asks for it (the REST layer resumes it itself).
        request.resume();
    }

    private JsonNode read(Buffer body) throws IOException {
        if (body.length() == 0) {
            return null;
        }
        JsonNode node = codec.mapper().readTree(body.getBytes());
        return node == null || node.isMissingNode() || node.isNull() ? null : node;
    }

    private boolean isAdmin(String authorization) {
        String bearer = RouteHeaders.bearer(authorization);
        if (bearer == null) {
            return false;
        }
        try {
            JsonWebToken token = jwt.parse(bearer);
            return token.getGroups() != null && token.getGroups().contains("admin");
        } catch (ParseException | RuntimeException e) {
            return false; // the REST layer answers 401
        }
    }

    private void respond(RoutingContext ctx, int status, String contentType, JsonNode entity) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, contentType)
                .end(Buffer.buffer(codec.bytes(entity)));
    }
}
