package dev.switchboard.gateway.security;

import java.net.URI;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.switchboard.gateway.config.GatewayConfig;
import io.quarkus.logging.Log;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Runs before {@code /ws} is upgraded: refuses a foreign browser {@code Origin} with 403
 * (cross-site WebSocket hijacking) and a bad, expired or foreign token with 401. A verified identity
 * travels to the connection in its user data; a handshake without a token is let through to
 * authenticate in-band.
 */
@ApplicationScoped
public class UpgradeCheck implements HttpUpgradeCheck {
    public static final UserData.TypedKey<Identity> IDENTITY = new UserData.TypedKey<>("switchboard.identity");

    private final TokenVerifier verifier;
    private final List<String> allowedOrigins;

    private final dev.switchboard.gateway.Drain drain;

    public UpgradeCheck(TokenVerifier verifier, GatewayConfig config, dev.switchboard.gateway.Drain drain) {
        this.verifier = verifier;
        this.drain = drain;
        this.allowedOrigins = config.allowedOrigins().stream().map(String::trim).toList();
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        HttpServerRequest request = context.httpRequest();
        if (drain.draining()) {
            return CheckResult.rejectUpgrade(503); // shutting down: the load balancer sends the client elsewhere
        }
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (!originAllowed(origin, request.getHeader(HttpHeaders.HOST))) {
            Log.infof("WebSocket upgrade refused: origin %s is not allowed", origin);
            return CheckResult.rejectUpgrade(403);
        }
        String token = HandshakeToken.find(request.getHeader(HttpHeaders.AUTHORIZATION),
                request.getHeader("Sec-WebSocket-Protocol"), request.query());
        if (token != null) {
            try {
                context.userData().put(IDENTITY, verifier.verify(token));
            } catch (TokenVerifier.InvalidTokenException e) {
                Log.infof("WebSocket upgrade refused: %s", e.getMessage());
                return CheckResult.rejectUpgrade(401);
            }
        }
        return CheckResult.permitUpgrade();
    }

    boolean originAllowed(String origin, String host) {
        if (origin == null) {
            return true; // not a browser: CSWSH needs a browser's ambient credentials
        }
        if (allowedOrigins.contains("*") || allowedOrigins.contains(origin)) {
            return true;
        }
        try {
            URI uri = URI.create(origin);
            String originHost = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            return host != null && host.equalsIgnoreCase(originHost);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
