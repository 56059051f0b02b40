package dev.switchboard.jwt;

import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * SmallRye JWT's parser with a memory of the tokens it has already verified. The gateway forwards
 * the caller's own token with every request it makes for them (a chat message, a ticket lookup), so
 * the same token reaches a service again and again; checking its RSA signature each time was about
 * a tenth of chat-service's CPU under the chat benchmark, and about a seventh of the gateway's when
 * an admin or service token came with every emit to its REST API (the gateway's WebSocket
 * connections verify their tokens without it: see the gateway's TokenVerifier). A token is remembered by its exact text,
 * only after it passed every check (signature, algorithm, issuer, expiry), and only until it
 * expires: a hit is re-checked against the clock, with the same leeway
 * ({@code mp.jwt.verify.clock.skew}) the full check allows. Tokens that fail are never remembered. The memory
 * is bounded and forgets everything when full.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class VerifiedTokenCache extends DefaultJWTParser {
    static final int MAX_TOKENS = 10_000;

    private final ConcurrentHashMap<String, JsonWebToken> verified = new ConcurrentHashMap<>();

    @Inject
    JWTAuthContextInfo settings;

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        JsonWebToken known = verified.get(token);
        if (known != null) {
            if (System.currentTimeMillis() / 1000 < known.getExpirationTime() + settings.getClockSkew()) {
                return known;
            }
            verified.remove(token);
        }
        JsonWebToken fresh = super.parse(token);
        if (fresh.getExpirationTime() > 0) {
            if (verified.size() >= MAX_TOKENS) {
                verified.clear();
            }
            verified.put(token, fresh);
        }
        return fresh;
    }

    /** Tokens remembered now (for tests). */
    int size() {
        return verified.size();
    }
}
