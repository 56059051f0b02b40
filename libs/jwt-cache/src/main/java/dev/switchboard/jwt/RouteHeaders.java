package dev.switchboard.jwt;

import java.util.Locale;

/**
 * The header checks a Vert.x route in front of the REST layer makes before it takes a request for itself (chat-service's
 * send, the gateway's batch emit): a JSON body of a known length, an answer the caller accepts as JSON, and a bearer
 * token. Whatever fails them the route passes on to the REST operation, which answers as documented.
 */
public final class RouteHeaders {
    private static final String BEARER = "Bearer ";
    private static final String JSON = "application/json";

    private RouteHeaders() {
    }

    /** The Content-Length, or -1 when there is none or it is not a number (a chunked body). */
    public static long contentLength(String value) {
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Content-Type {@code application/json}, with or without parameters. */
    public static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
        return type.equalsIgnoreCase(JSON);
    }

    /** An Accept header that JSON satisfies (none at all does). */
    public static boolean acceptsJson(String accept) {
        if (accept == null || accept.isBlank()) {
            return true;
        }
        for (String range : accept.split(",")) {
            int semicolon = range.indexOf(';');
            String type = (semicolon < 0 ? range : range.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
            if (type.equals(JSON) || type.equals("application/*") || type.equals("*/*")) {
                return true;
            }
        }
        return false;
    }

    /** The token of an {@code Authorization: Bearer ...} header, or null. */
    public static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        return authorization.substring(BEARER.length()).strip();
    }
}
