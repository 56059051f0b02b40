package dev.switchboard.gateway.dev;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.switchboard.gateway.websocket.FrameCodec;
import io.quarkus.logging.Log;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.smallrye.jwt.build.Jwt;

/**
 * {@code POST /api/v1/dev/login {"username"}}: a token for one of the {@link DemoUsers}, signed
 * with the local run's generated key, so the demo page can sign in without an identity provider.
 * It answers 404, as if it did not exist, unless {@code switchboard.dev-login.enabled=true} and a
 * private key is configured, and always in the prod profile.
 */
@Path("/api/v1/dev")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public class DevLoginResource {
    private final DevLoginConfig config;
    private final FrameCodec codec;
    private final PrivateKey key;

    public DevLoginResource(DevLoginConfig config, FrameCodec codec) {
        this.config = config;
        this.codec = codec;
        this.key = available(config) ? readKey(config.privateKeyLocation().orElseThrow()) : null;
    }

    /** Enabled, not in the prod profile, and with a key to sign with. */
    static boolean available(DevLoginConfig config) {
        if (!config.enabled()) {
            return false;
        }
        if (ConfigUtils.getProfiles().contains("prod")) {
            Log.warn("switchboard.dev-login.enabled is ignored in the prod profile: the dev login stays off");
            return false;
        }
        if (config.privateKeyLocation().isEmpty()) {
            Log.warn("switchboard.dev-login.enabled without switchboard.dev-login.private-key-location: the dev login stays off");
            return false;
        }
        return true;
    }

    private static PrivateKey readKey(String location) {
        String path = location.startsWith("file:") ? location.substring("file:".length()) : location;
        try {
            String pem = Files.readString(java.nio.file.Path.of(path), StandardCharsets.US_ASCII)
                    .replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
            PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
            Log.infof("dev login enabled (demo users: %s); never use it in production",
                    DemoUsers.usernames());
            return key;
        } catch (Exception e) {
            throw new IllegalStateException("dev login: cannot read the private key " + path + ": " + e.getMessage(), e);
        }
    }

    @GET
    @Path("/users")
    @Operation(summary = "The demo users one can sign in as (dev login only; 404 when it is off)")
    public Response users() {
        if (key == null) {
            return notFound();
        }
        ArrayNode list = codec.mapper().createArrayNode();
        for (DemoUsers.DemoUser user : DemoUsers.ALL) {
            ObjectNode u = list.addObject().put("username", user.username()).put("id", user.id()).put("name", user.name())
                    .put("description", user.description());
            user.roles().forEach(u.putArray("roles")::add);
        }
        return Response.ok(list).build();
    }

    @POST
    @Path("/login")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "A token for a demo user (dev login only; 404 when it is off)")
    public Response login(JsonNode body) {
        if (key == null) {
            return notFound();
        }
        String username = body == null ? "" : body.path("username").asText("");
        var user = DemoUsers.byUsername(username);
        if (user.isEmpty()) {
            return codec.problem(400, "username must be one of " + DemoUsers.usernames());
        }
        DemoUsers.DemoUser u = user.get();
        Instant now = Instant.now();
        Instant expires = now.plus(config.tokenLifetime());
        String token = Jwt.issuer(config.issuer()).subject(u.id()).claim("name", u.name())
                .claim("preferred_username", u.name()).groups(new HashSet<>(u.roles()))
                .issuedAt(now).expiresAt(expires).jws().keyId("switchboard-local").sign(key);
        ObjectNode answer = codec.object().put("token", token).put("expires_at", expires.toString());
        ObjectNode userNode = answer.putObject("user").put("id", u.id()).put("username", u.username()).put("name", u.name());
        u.roles().forEach(userNode.putArray("roles")::add);
        answer.putObject("services").put("ticket", config.services().ticket()).put("chat", config.services().chat())
                .put("notification", config.services().notification());
        return Response.ok(answer).build();
    }

    private Response notFound() {
        return codec.problem(404, "no such resource");
    }
}
