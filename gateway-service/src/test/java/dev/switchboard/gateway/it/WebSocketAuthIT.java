package dev.switchboard.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.localstack.JwtKeyFiles;
import dev.switchboard.testsupport.ServiceProcess;
import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.WsClient;
import io.smallrye.jwt.build.Jwt;

/** The four ways to authenticate (SPEC §5), each refusal, the Origin check, and no token in the logs. */
class WebSocketAuthIT {
    private static ServiceProcess gateway;

    @BeforeAll
    static void start() {
        gateway = Cluster.gateway1();
    }

    private static String user() {
        return "u-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static void assertConnected(WsClient client, String userId) {
        JsonNode connection = client.awaitEvent("connection").path("payload");
        assertThat(connection.path("status").asText()).isEqualTo("connected");
        assertThat(connection.path("user_id").asText()).isEqualTo(userId);
        assertThat(connection.path("session_id").asText()).isNotBlank();
        assertThat(client.ack("ping", null).path("timestamp").asLong()).isPositive();
    }

    @Test
    void authorizationHeader() {
        String id = user();
        try (WsClient client = WsClient.to(gateway.wsUrl()).bearer(TestJwt.customer(id)).connect()) {
            assertConnected(client, id);
            assertThat(client.subprotocol()).isEqualTo("switchboard.v1");
        }
    }

    @Test
    void tokenInSubprotocolForBrowsers() {
        String id = user();
        try (WsClient client = WsClient.to(gateway.wsUrl()).protocolToken(TestJwt.agent(id)).connect()) {
            assertConnected(client, id);
            // The server picks switchboard.v1 and never echoes the token back.
            assertThat(client.subprotocol()).isEqualTo("switchboard.v1");
        }
    }

    @Test
    void tokenInQueryString() {
        String id = user();
        try (WsClient client = WsClient.to(gateway.wsUrl()).queryToken(TestJwt.customer(id)).noSubprotocol().connect()) {
            assertConnected(client, id);
        }
    }

    @Test
    void authenticateMessageAndNothingBeforeIt() {
        String id = user();
        try (WsClient client = WsClient.to(gateway.wsUrl()).connect()) {
            JsonNode early = client.request("list_tickets", null);
            assertThat(early.path("type").asText()).isEqualTo("error");
            assertThat(early.path("payload").path("code").asText()).isEqualTo("UNAUTHENTICATED");
            JsonNode ack = client.ack("authenticate", Map.of("token", TestJwt.customer(id)));
            assertThat(ack.path("user_id").asText()).isEqualTo(id);
            assertConnected(client, id);
        }
    }

    @Test
    void noAuthenticateInTimeIsClosedWith4401() {
        try (WsClient client = WsClient.to(gateway.wsUrl()).connect()) {
            assertThat(client.awaitClose()).isEqualTo(4401);
            assertThat(client.events("error")).anySatisfy(
                    e -> assertThat(e.path("code").asText()).isEqualTo("UNAUTHENTICATED"));
        }
    }

    @Test
    void badTokenInAuthenticateIsErrorAndClose4401() {
        try (WsClient client = WsClient.to(gateway.wsUrl()).connect()) {
            JsonNode answer = client.request("authenticate", Map.of("token", expired(user())));
            assertThat(answer.path("type").asText()).isEqualTo("error");
            assertThat(answer.path("payload").path("code").asText()).isEqualTo("UNAUTHENTICATED");
            assertThat(client.awaitClose()).isEqualTo(4401);
        }
    }

    @Test
    void badTokensAreRefusedAtUpgradeWith401() {
        String id = user();
        Map<String, String> bad = Map.of(
                "bad signature", Jwt.issuer(TestJwt.ISSUER).subject(id).groups(Set.of("customer"))
                        .expiresAt(Instant.now().plusSeconds(600)).sign(JwtKeyFiles.generate().getPrivate()),
                "alg none", unsigned(id),
                "expired", expired(id),
                "wrong issuer", Jwt.issuer("https://evil.example").subject(id).groups(Set.of("customer"))
                        .expiresAt(Instant.now().plusSeconds(600)).sign(TestJwt.privateKey()),
                "not a JWT", "not-a-token");
        bad.forEach((what, token) -> {
            for (WsClient.Builder way : new WsClient.Builder[] { WsClient.to(gateway.wsUrl()).bearer(token),
                    WsClient.to(gateway.wsUrl()).queryToken(token), WsClient.to(gateway.wsUrl()).protocolToken(token) }) {
                assertThatThrownBy(way::connect).as(what).isInstanceOfSatisfying(WsClient.Refused.class,
                        r -> assertThat(r.status()).as(what).isEqualTo(401));
            }
        });
    }

    @Test
    void foreignOriginIsRefusedAllowedAndSameOriginPass() {
        String token = TestJwt.customer(user());
        assertThatThrownBy(() -> WsClient.to(gateway.wsUrl()).bearer(token).origin("https://evil.example").connect())
                .isInstanceOfSatisfying(WsClient.Refused.class, r -> assertThat(r.status()).isEqualTo(403));
        try (WsClient allowed = WsClient.to(gateway.wsUrl()).bearer(token).origin("https://app.switchboard.test")
                .connect()) {
            allowed.awaitEvent("connection");
        }
        try (WsClient same = WsClient.to(gateway.wsUrl()).bearer(token).origin(gateway.httpUrl()).connect()) {
            same.awaitEvent("connection");
        }
    }

    @Test
    void aTokenInTheUrlNeverReachesTheLogs() {
        String good = TestJwt.customer(user());
        String bad = expired(user());
        try (WsClient client = WsClient.to(gateway.wsUrl()).queryToken(good).noSubprotocol().connect()) {
            client.awaitEvent("connection");
        }
        assertThatThrownBy(() -> WsClient.to(gateway.wsUrl()).queryToken(bad).connect())
                .isInstanceOf(WsClient.Refused.class);
        // The refused request was logged (access log), with the query string redacted ...
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> gateway.logText().contains("\"GET /ws?token=[REDACTED] HTTP/1.1\" 401"));
        String log = gateway.logText();
        // ... but no part of either token was.
        for (String token : new String[] { good, bad }) {
            assertThat(log).doesNotContain(token.substring(token.lastIndexOf('.') + 1));
            assertThat(log).doesNotContain(token.substring(0, token.indexOf('.', token.indexOf('.') + 1)));
        }
    }

    private static String expired(String id) {
        return TestJwt.token(id, "Customer " + id, Duration.ofMinutes(-5), "customer");
    }

    private static String unsigned(String id) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = b64.encodeToString(("{\"iss\":\"" + TestJwt.ISSUER + "\",\"sub\":\"" + id
                + "\",\"groups\":[\"admin\"],\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}")
                .getBytes(StandardCharsets.UTF_8));
        return header + "." + claims + ".";
    }
}
