package dev.switchboard.gateway.client;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import dev.switchboard.gateway.websocket.ErrorCode;
import dev.switchboard.gateway.websocket.ProtocolException;
import io.smallrye.mutiny.Uni;

/**
 * Every call from the gateway to a service goes through here: a timeout and one circuit breaker per
 * service (a service that fails keeps failing fast instead of holding sockets' requests), and the
 * service's answer turned into the data for an {@code ack} or a {@link ProtocolException} for an
 * {@code error}. A refusal (4xx) is an answer, not a failure, and does not open the breaker.
 */
@ApplicationScoped
public class ServiceCalls {

    @Timeout(5000)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5000, skipOn = ProtocolException.class)
    public Uni<JsonNode> ticket(Supplier<Uni<Response>> call) {
        return call.get().map(r -> answer(r, true));
    }

    @Timeout(5000)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5000, skipOn = ProtocolException.class)
    public Uni<JsonNode> chat(Supplier<Uni<Response>> call) {
        return call.get().map(r -> answer(r, true));
    }

    @Timeout(5000)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5000, skipOn = ProtocolException.class)
    public Uni<JsonNode> notification(Supplier<Uni<Response>> call) {
        return call.get().map(r -> answer(r, false));
    }

    /**
     * @param aboutTicket whether a 404/403 means "no such ticket, or not yours" (FORBIDDEN), which
     *        SPEC §7 wants indistinguishable from a ticket that does not exist
     */
    static JsonNode answer(Response response, boolean aboutTicket) {
        int status = response.getStatus();
        if (status >= 200 && status < 300) {
            return response.hasEntity() ? response.readEntity(JsonNode.class) : NullNode.instance;
        }
        String detail = detail(response);
        if (status >= 500) {
            throw new ServiceFailure("the service answered " + status);
        }
        throw switch (status) {
            case 401 -> new ProtocolException(ErrorCode.UNAUTHENTICATED, "the token was refused: " + detail);
            case 403, 404 -> aboutTicket ? ProtocolException.forbidden()
                    : new ProtocolException(ErrorCode.NOT_FOUND, detail);
            case 409 -> new ProtocolException(ErrorCode.CONFLICT, detail);
            case 429 -> new ProtocolException(ErrorCode.RATE_LIMITED, detail);
            default -> new ProtocolException(ErrorCode.INVALID_REQUEST, detail);
        };
    }

    private static String detail(Response response) {
        try {
            JsonNode problem = response.readEntity(JsonNode.class);
            if (problem != null && problem.hasNonNull("detail")) {
                return problem.get("detail").asText();
            }
            if (problem != null && problem.hasNonNull("title")) {
                return problem.get("title").asText();
            }
        } catch (RuntimeException ignored) {
            // not a problem document
        }
        return "the request was refused (" + response.getStatus() + ")";
    }

    /** A 5xx: counts against the service's circuit breaker. */
    public static final class ServiceFailure extends RuntimeException {
        ServiceFailure(String message) {
            super(message, null, false, false);
        }
    }
}
