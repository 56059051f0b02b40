package dev.switchboard.gateway.security;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where a client may put its token when it opens {@code /ws} (SPEC §5): the
 * {@code Authorization: Bearer} header, an entry {@code bearer.<token>} in
 * {@code Sec-WebSocket-Protocol} (browsers cannot set headers), or {@code ?token=} (seed clients).
 * Without any of these the client has to send {@code authenticate} first.
 */
public final class HandshakeToken {
    public static final String SUBPROTOCOL = "switchboard.v1";
    public static final String SUBPROTOCOL_TOKEN_PREFIX = "bearer.";

    private HandshakeToken() {
    }

    /** The token, or null when the handshake carries none. */
    public static String find(String authorization, String protocols, String query) {
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        if (protocols != null) {
            for (String protocol : protocols.split(",")) {
                String p = protocol.trim();
                if (p.startsWith(SUBPROTOCOL_TOKEN_PREFIX) && p.length() > SUBPROTOCOL_TOKEN_PREFIX.length()) {
                    return p.substring(SUBPROTOCOL_TOKEN_PREFIX.length());
                }
            }
        }
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith("token=")) {
                    return URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
                }
            }
        }
        return null;
    }
}
