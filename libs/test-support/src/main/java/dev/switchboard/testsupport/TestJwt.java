package dev.switchboard.testsupport;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import dev.switchboard.localstack.JwtKeyFiles;
import io.smallrye.jwt.build.Jwt;

/**
 * Signs RS256 tokens for test users with a key pair generated when the test JVM starts; the
 * private key exists only in memory and the services verify with the public half.
 */
public final class TestJwt {
    public static final String ISSUER = "https://switchboard.test";
    private static final KeyPair KEYS = JwtKeyFiles.generate();

    private TestJwt() {
    }

    public static String publicKeyPem() {
        return JwtKeyFiles.pem("PUBLIC KEY", KEYS.getPublic().getEncoded());
    }

    /** The private half as PKCS#8 PEM, for a process that mints tokens itself (the gateway's dev login). */
    public static String privateKeyPem() {
        return JwtKeyFiles.pem("PRIVATE KEY", KEYS.getPrivate().getEncoded());
    }

    public static PrivateKey privateKey() {
        return KEYS.getPrivate();
    }

    /** A token for {@code userId} with display name {@code name} and the given roles, valid for an hour. */
    public static String token(String userId, String name, String... groups) {
        return token(userId, name, Duration.ofHours(1), groups);
    }

    public static String token(String userId, String name, Duration validFor, String... groups) {
        Instant now = Instant.now();
        return Jwt.issuer(ISSUER)
                .subject(userId)
                .upn(userId)
                .claim("name", name)
                .claim("preferred_username", name)
                .groups(Set.of(groups))
                .issuedAt(now)
                .expiresAt(now.plus(validFor))
                .sign(KEYS.getPrivate());
    }

    /** Test users' display names say their role: "Admin ann", "Agent bob", "Customer cid". */
    public static String admin(String userId) {
        return token(userId, "Admin " + userId, "admin");
    }

    public static String agent(String userId) {
        return token(userId, "Agent " + userId, "agent");
    }

    public static String customer(String userId) {
        return token(userId, "Customer " + userId, "customer");
    }
}
