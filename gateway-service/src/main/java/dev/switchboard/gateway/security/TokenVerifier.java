package dev.switchboard.gateway.security;

import java.time.Instant;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * Verifies a JWT with SmallRye JWT (signature with the configured public key, RS256 only, issuer,
 * expiry) and turns it into an {@link Identity}.
 *
 * <p>A connection's token is verified in full every time, with a parser of its own: the gateway's
 * REST API remembers the tokens it verified ({@code VerifiedTokenCache}: an admin or service token
 * comes with every emit), but holding one for each of tens of thousands of connected users would
 * add to every connection's memory, and a connection presents its token once.
 */
@ApplicationScoped
public class TokenVerifier {
    private final JWTParser parser;

    public TokenVerifier(JWTAuthContextInfo settings) {
        this.parser = new DefaultJWTParser(settings);
    }

    /** @throws InvalidTokenException with a message fit for the client (no token content in it) */
    public Identity verify(String token) {
        if (token == null || token.isBlank()) {
            throw new InvalidTokenException("no token");
        }
        JsonWebToken jwt;
        try {
            jwt = parser.parse(token.trim());
        } catch (ParseException e) {
            throw new InvalidTokenException(reason(e));
        }
        String subject = jwt.getSubject();
        if (subject == null || subject.isBlank()) {
            throw new InvalidTokenException("the token has no subject");
        }
        String name = jwt.getClaim("name");
        if (name == null) {
            name = jwt.getClaim("preferred_username");
        }
        Set<String> groups = jwt.getGroups() == null ? Set.of() : Set.copyOf(jwt.getGroups());
        return new Identity(subject, name == null ? subject : name, groups,
                Instant.ofEpochSecond(jwt.getExpirationTime()), token.trim());
    }

    private static String reason(ParseException e) {
        String all = String.valueOf(e.getMessage()) + " " + (e.getCause() == null ? "" : e.getCause().getMessage());
        if (all.contains("expired") || all.contains("Expiration")) {
            return "the token has expired";
        }
        if (all.contains("iss") || all.contains("issuer")) {
            return "the token's issuer is not accepted";
        }
        return "the token is not valid";
    }

    public static class InvalidTokenException extends RuntimeException {
        public InvalidTokenException(String message) {
            super(message, null, false, false);
        }
    }
}
