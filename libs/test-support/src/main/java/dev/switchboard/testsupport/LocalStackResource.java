package dev.switchboard.testsupport;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * For {@code @QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)}:
 * makes sure the test stack runs and gives the service the public key of this run's test JWTs.
 * The servers' addresses are in each service's {@code %test} properties.
 */
public class LocalStackResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        TestStack.ensureRunning();
        return Map.of(
                "mp.jwt.verify.publickey", TestJwt.publicKeyPem(),
                "mp.jwt.verify.issuer", TestJwt.ISSUER);
    }

    @Override
    public void stop() {
        // The stack outlives a single application: it stops with the JVM (or with ./switchboard test).
    }
}
