package dev.switchboard.gateway.admin;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.switchboard.gateway.websocket.FrameCodec;

/**
 * The gateway's REST errors that no endpoint answers itself (no such path, e.g. {@code /api/v1/realtime/users/}
 * with an empty id; wrong method; unreadable body) as problem+json like every other answer of its REST API,
 * not the framework's HTML page (found by the e2e RestFuzzIT).
 */
public class RestProblems {
    /** The detail of a 400 for a request the REST layer cannot read (a body that is not JSON, say). */
    static final String UNREADABLE = "the request cannot be handled as sent";
    /** The detail of a 5xx. */
    static final String FAILED = "the request could not be handled";

    private final FrameCodec codec;

    public RestProblems(FrameCodec codec) {
        this.codec = codec;
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        String detail = status == 404 ? "no such resource" : status == 405 ? "method not allowed on this resource"
                : status >= 500 ? FAILED : UNREADABLE;
        return codec.problem(status, detail);
    }
}
