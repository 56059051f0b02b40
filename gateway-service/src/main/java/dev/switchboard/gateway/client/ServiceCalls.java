package dev.switchboard.gateway.client;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.util.RawValue;

import dev.switchboard.gateway.websocket.ErrorCode;
import dev.switchboard.gateway.websocket.ProtocolException;
import io.smallrye.mutiny.Uni;

/**
 * Every call from the gateway to a service goes through here: a timeout and one circuit breaker per
 * service, and one more for sending chat messages (a service that fails keeps failing fast instead of
 * holding sockets' requests), and the service's answer turned into the data for an {@code ack} or a
 * {@link ProtocolException} for an {@code error}. A refusal (4xx) is an answer, not a failure, and does not open the breaker.
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

    /**
     * A chat message sent through {@link MessageSender}: the stored message as chat-service wrote it.
     * Its own breaker, with the same settings as chat-service's other calls. Its timeout is the sender's
     * own (the HTTP request's, 5 s, on the connection's event loop): a fault-tolerance timeout here cost
     * its timer thread one or two wake-ups for every message.
     */
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5000, skipOn = ProtocolException.class)
    public Uni<RawValue> sendMessage(Supplier<Uni<RawValue>> call) {
        return call.get();
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
        throw refusal(status, status >= 500 ? null : problem(response), aboutTicket);
    }

    /**
     * What a service's answer other than 2xx becomes: a {@link ServiceFailure} for a 5xx, else the
     * {@link ProtocolException} the client gets, with the problem document's detail when there is one.
     */
    static RuntimeException refusal(int status, JsonNode problem, boolean aboutTicket) {
        if (status >= 500) {
            return new ServiceFailure("the service answered " + status);
        }
        String detail = detail(problem, status);
        return switch (status) {
            case 401 -> new ProtocolException(ErrorCode.UNAUTHENTICATED, "the token was refused: " + detail);
            case 403, 404 -> aboutTicket ? ProtocolException.forbidden()
                    : new ProtocolException(ErrorCode.NOT_FOUND, detail);
            case 409 -> new ProtocolException(ErrorCode.CONFLICT, detail);
            case 429 -> new ProtocolException(ErrorCode.RATE_LIMITED, detail);
            default -> new ProtocolException(ErrorCode.INVALID_REQUEST, detail);
        };
    }

    private static JsonNode problem(Response response) {
        try {
            return response.readEntity(JsonNode.class);
        } catch (RuntimeException notAProblem) {
            return null;
        }
    }

    private static String detail(JsonNode problem, int status) {
        if (problem != null && problem.hasNonNull("detail")) {
            return problem.get("detail").asText();
        }
        if (problem != null && problem.hasNonNull("title")) {
            return problem.get("title").asText();
        }
        return "the request was refused (" + status + ")";
    }

    /** A 5xx: counts against the service's circuit breaker. */
    public static final class ServiceFailure extends RuntimeException {
        ServiceFailure(String message) {
            super(message, null, false, false);
        }
    }
}
