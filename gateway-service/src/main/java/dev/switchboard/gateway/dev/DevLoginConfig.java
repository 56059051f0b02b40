package dev.switchboard.gateway.dev;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The dev-only login of SPEC §2 ({@code switchboard.dev-login.*}): off unless enabled, and never
 * in the prod profile, whatever the setting says. The local run ({@code ./switchboard up},
 * profile {@code local}) turns it on with the private half of the run's generated key pair.
 */
@ConfigMapping(prefix = "switchboard.dev-login")
public interface DevLoginConfig {

    @WithDefault("false")
    boolean enabled();

    /** PEM (PKCS#8) private key the tokens are signed with; the services verify them with its public half. */
    Optional<String> privateKeyLocation();

    /** The {@code iss} of the minted tokens: the one the services check. */
    @WithDefault("${mp.jwt.verify.issuer}")
    String issuer();

    @WithDefault("8h")
    Duration tokenLifetime();

    /** Where the demo page finds the services' REST APIs. */
    Services services();

    interface Services {
        @WithDefault("http://localhost:8081")
        String ticket();

        @WithDefault("http://localhost:8082")
        String chat();

        @WithDefault("http://localhost:8083")
        String notification();
    }
}
