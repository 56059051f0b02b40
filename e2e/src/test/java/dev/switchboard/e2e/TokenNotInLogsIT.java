package dev.switchboard.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.WsClient;
import io.restassured.http.ContentType;

/**
 * No token in any log (SPEC §5; issue 11). Good, expired, tampered and garbage tokens are used every
 * way a client can send one — the Authorization header on all four services, the WebSocket's
 * header, subprotocol, URL and {@code authenticate}/{@code refresh_token} messages, a token in a
 * REST query string, the dev login's answer — and then every service's log of this run
 * ({@code e2e/target/services/*.log}) is searched for any part of them and for anything shaped like
 * a JWT at all (so the tokens of every other test in the run are covered too).
 */
class TokenNotInLogsIT {
    /** A JWT: two base64url JSON segments (they start with eyJ, "{\"") and a signature. */
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*");

    @BeforeAll
    static void suite() {
        Suite.start();
    }

    @Test
    void noTokenOrPartOfOneReachesAnyServiceLog() throws IOException {
        String userId = Attack.id("logged");
        String good = TestJwt.customer(userId);
        String expired = TestJwt.token(userId, "Expired", Duration.ofMinutes(-5), "customer");
        String[] parts = good.split("\\.");
        String tampered = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
        List<String> tokens = new ArrayList<>(List.of(good, expired, tampered));

        for (String token : tokens) {
            for (String url : new String[] { Suite.ticketUrl() + "/api/v1/tickets", Suite.chatUrl() + "/api/v1/messages/search?q=x",
                    Suite.notificationUrl() + "/api/v1/notifications", Suite.gateway().httpUrl() + "/api/v1/realtime/stats",
                    Suite.ticketUrl() + "/api/v1/tickets/not-a-uuid?token=" + token + "&access_token=" + token }) {
                given().header("Authorization", "Bearer " + token).get(url);
            }
            // A token where a body field is expected, in a request that fails validation.
            given().baseUri(Suite.ticketUrl()).auth().oauth2(good).contentType(ContentType.JSON)
                    .body("{\"title\":" + 42 + ",\"description\":\"" + token + "\",\"priority\":\"" + token + "\"}")
                    .post("/api/v1/tickets");
        }
        // Every way into the WebSocket, with the good token and with the bad ones.
        for (WsClient.Builder way : List.of(WsClient.to(Suite.gateway().wsUrl()).bearer(good),
                WsClient.to(Suite.gateway().wsUrl()).protocolToken(good),
                WsClient.to(Suite.gateway().wsUrl()).queryToken(good).noSubprotocol())) {
            try (WsClient client = way.connect()) {
                client.awaitEvent("connection");
                client.request("refresh_token", Map.of("token", expired));
                client.request("refresh_token", Map.of("token", tampered));
                client.ack("refresh_token", Map.of("token", good));
                client.request("send_message", Map.of("ticket_id", "x", "message", good));
                client.sendRaw("{\"type\":\"" + good + "\",\"id\":\"" + good + "\"}");
                client.request("ping", null);
            }
        }
        for (String bad : new String[] { expired, tampered }) {
            for (WsClient.Builder way : List.of(WsClient.to(Suite.gateway().wsUrl()).bearer(bad),
                    WsClient.to(Suite.gateway().wsUrl()).protocolToken(bad), WsClient.to(Suite.gateway().wsUrl()).queryToken(bad))) {
                assertThatThrownBy(way::connect).isInstanceOf(WsClient.Refused.class);
            }
            try (WsClient client = WsClient.to(Suite.gateway().wsUrl()).connect()) {
                client.request("authenticate", Map.of("token", bad));
                client.awaitClose();
            }
        }
        String devToken = given().baseUri(Suite.gateway().httpUrl()).contentType(ContentType.JSON)
                .body(Map.of("username", "alice")).post("/api/v1/dev/login").then().statusCode(200).extract().path("token");
        tokens.add(devToken);

        // The access log line of a last request, with a marker: everything before it has been written.
        String marker = "/log-barrier-" + Attack.id("b");
        given().baseUri(Suite.gateway().httpUrl()).get(marker);
        Awaitility.await("the gateway's access log has the barrier").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100)).until(() -> Suite.gateway().logText().contains(marker));

        List<Path> logs = logs();
        assertThat(logs).extracting(p -> p.getFileName().toString()).contains("gateway.log", "ticket-service.log",
                "chat-service.log", "notification-service.log");
        long bytes = 0;
        for (Path log : logs) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            bytes += text.length();
            for (String token : tokens) {
                String[] p = token.split("\\.");
                assertThat(text).as(log + " has a token").doesNotContain(p[0] + "." + p[1]);
                if (p.length > 2 && p[2].length() > 16) {
                    assertThat(text).as(log + " has a token's signature").doesNotContain(p[2]);
                }
            }
            Matcher any = JWT.matcher(text);
            assertThat(any.find()).as(log + " has something shaped like a JWT: " + (any.find(0) ? any.group() : "")).isFalse();
        }
        // The redaction is visible where a token was in the URL.
        assertThat(Suite.gateway().logText()).contains("token=[REDACTED]");
        System.out.println("[TokenNotInLogsIT] " + logs.size() + " logs, " + bytes + " characters searched, 0 tokens");
    }

    private static List<Path> logs() throws IOException {
        try (Stream<Path> files = Files.list(Paths.get("target", "services"))) {
            return files.filter(p -> p.toString().endsWith(".log")).sorted().toList();
        }
    }
}
