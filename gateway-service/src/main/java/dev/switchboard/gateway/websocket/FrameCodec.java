package dev.switchboard.gateway.websocket;

import java.io.IOException;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.switchboard.gateway.room.Rooms;

/**
 * The one place frames are read and written. Every frame is a JSON text frame
 * {@code {"type", "id"?, "payload"?}} (SPEC §5).
 */
@ApplicationScoped
public class FrameCodec {
    private final ObjectMapper mapper;

    public FrameCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    public ObjectNode object() {
        return mapper.createObjectNode();
    }

    /** An RFC 9457 problem response ({@code application/problem+json}) for the gateway's REST endpoints. */
    public jakarta.ws.rs.core.Response problem(int status, String detail) {
        return jakarta.ws.rs.core.Response.status(status).type("application/problem+json")
                .entity(problemBody(status, detail)).build();
    }

    /** The body of {@link #problem}. */
    public ObjectNode problemBody(int status, String detail) {
        jakarta.ws.rs.core.Response.Status known = jakarta.ws.rs.core.Response.Status.fromStatusCode(status);
        return object().put("type", "about:blank").put("title", known == null ? "Error" : known.getReasonPhrase())
                .put("status", status).put("detail", detail);
    }

    /** @throws ProtocolException INVALID_JSON or INVALID_PAYLOAD; the message says what is wrong */
    public ClientFrame decode(String text) {
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (IOException e) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "the frame is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "a frame must be a JSON object {type, id?, payload?}");
        }
        JsonNode type = root.get("type");
        JsonNode id = root.get("id");
        if (id != null && !id.isNull() && !id.isTextual() && !id.isIntegralNumber()) {
            throw ProtocolException.invalid("id must be a string or a whole number");
        }
        if (id != null && id.isTextual() && !wellFormed(id.asText())) {
            // Text frames are UTF-8: such an id could only be echoed mangled, and the client could not match it.
            throw ProtocolException.invalid("id must be well-formed Unicode text (it has an unpaired surrogate)");
        }
        if (type == null || !type.isTextual() || type.asText().isBlank()) {
            throw new FrameException(id, ProtocolException.invalid("type is required and must be a string"));
        }
        JsonNode payload = root.get("payload");
        if (payload != null && !payload.isNull() && !payload.isObject()) {
            throw new FrameException(id, ProtocolException.invalid("payload must be a JSON object"));
        }
        return new ClientFrame(type.asText(), id,
                payload == null || payload.isNull() ? ClientFrame.emptyPayload() : (ObjectNode) payload);
    }

    /** Whether every surrogate in the text is one half of a pair (so that it has a UTF-8 form). */
    static boolean wellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The payload of {@code resync_required}: the room, its ticket id for a ticket room, and the seq the
     * client now stands at (callers add the epoch, and a join's reason, where they have them).
     */
    public ObjectNode resyncPayload(String room, long seq) {
        ObjectNode payload = object().put("room", room);
        String ticketId = Rooms.ticketId(room);
        if (ticketId != null) {
            payload.put("ticket_id", ticketId);
        }
        return payload.put("seq", seq);
    }

    /** A server frame without id: an event. */
    public String event(String type, JsonNode payload) {
        return encode(type, null, payload);
    }

    public String ack(JsonNode id, JsonNode payload) {
        return encode("ack", id, payload);
    }

    public String error(JsonNode id, ErrorCode code, String message) {
        ObjectNode payload = mapper.createObjectNode().put("code", code.name()).put("message", message);
        return encode("error", id, payload);
    }

    public String encode(String type, JsonNode id, JsonNode payload) {
        ObjectNode frame = mapper.createObjectNode().put("type", type);
        if (id != null && !id.isNull()) {
            frame.set("id", id);
        }
        if (payload != null) {
            frame.set("payload", payload);
        }
        return write(frame);
    }

    public String write(JsonNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A request body for a service, as UTF-8 JSON. */
    public byte[] bytes(JsonNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public JsonNode read(String json) {
        try {
            return mapper.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
    }

    /** A decoding failure that still knows the request's id, so the error can answer it. */
    public static final class FrameException extends RuntimeException {
        private final JsonNode id;
        private final ProtocolException error;

        FrameException(JsonNode id, ProtocolException error) {
            super(error.getMessage(), null, false, false);
            this.id = id;
            this.error = error;
        }

        public JsonNode id() {
            return id;
        }

        public ProtocolException error() {
            return error;
        }
    }
}
