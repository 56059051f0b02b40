package dev.switchboard.gateway.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A frame from the client: {@code {type, id?, payload?}}. The id is echoed exactly as sent (string
 * or number) in the one {@code ack} or {@code error} the request gets.
 */
public record ClientFrame(String type, JsonNode id, ObjectNode payload) {

    public boolean hasId() {
        return id != null && !id.isNull();
    }

    /** A required non-blank string field. */
    public String requireString(String field) {
        JsonNode node = payload.get(field);
        if (node == null || node.isNull()) {
            throw ProtocolException.invalid("payload." + field + " is required");
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw ProtocolException.invalid("payload." + field + " must be a non-empty string");
        }
        return wellFormed(field, node.asText());
    }

    /** Text with an unpaired surrogate has no UTF-8 form: the REST client failed on it (500) instead of sending it. */
    private static String wellFormed(String field, String text) {
        if (!FrameCodec.wellFormed(text)) {
            throw ProtocolException.invalid("payload." + field + " must be well-formed Unicode text (it has an unpaired surrogate)");
        }
        return text;
    }

    public String optionalString(String field) {
        JsonNode node = payload.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ProtocolException.invalid("payload." + field + " must be a string");
        }
        return wellFormed(field, node.asText());
    }

    /** A ticket id: a string, or a number from seed clients, as text. */
    public String requireId(String field) {
        JsonNode node = payload.get(field);
        if (node != null && node.isIntegralNumber()) {
            return node.asText();
        }
        return requireString(field);
    }

    public String optionalId(String field) {
        JsonNode node = payload.get(field);
        if (node != null && node.isIntegralNumber()) {
            return node.asText();
        }
        return optionalString(field);
    }

    public boolean requireBoolean(String field) {
        JsonNode node = payload.get(field);
        if (node == null || node.isNull()) {
            throw ProtocolException.invalid("payload." + field + " is required");
        }
        if (!node.isBoolean()) {
            throw ProtocolException.invalid("payload." + field + " must be true or false");
        }
        return node.booleanValue();
    }

    public Integer optionalInt(String field, int min, int max) {
        JsonNode node = payload.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        // canConvertToLong: a number past 64 bits is refused, not truncated (2^64 + 5 is not 5).
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < min || node.asLong() > max) {
            throw ProtocolException.invalid("payload." + field + " must be a whole number from " + min + " to " + max);
        }
        return node.asInt();
    }

    public Long optionalLong(String field) {
        JsonNode node = payload.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 0) {
            throw ProtocolException.invalid("payload." + field + " must be a whole number, 0 or more");
        }
        return node.asLong();
    }

    static ObjectNode emptyPayload() {
        return JsonNodeFactory.instance.objectNode();
    }
}
