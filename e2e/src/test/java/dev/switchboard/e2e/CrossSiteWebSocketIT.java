package dev.switchboard.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.WsClient;
import io.restassured.response.Response;

/**
 * Cross-site WebSocket hijacking (issue 11): a page on a foreign origin cannot open the suite's
 * WebSocket, whichever way it carries the token (or none, to authenticate in-band later), including
 * origins crafted to pass a careless prefix, suffix or substring match, and {@code null} (sandboxed
 * frames, file: pages). The gateway's own origin and its allow-list pass. The data services' CORS
 * grants nothing to a foreign origin either. (The plain foreign/allowed/same-origin case is in the
 * gateway's WebSocketAuthIT.)
 */
class CrossSiteWebSocketIT {

    @BeforeAll
    static void suite() {
        Suite.start();
    }

    /** Origins that are not the gateway's, each built to slip through a naive check. */
    private static List<String> foreignOrigins() {
        int port = Suite.gateway().port();
        return List.of("https://evil.example", "null", "http://127.0.0.1:" + port + ".evil.example",
                "http://127.0.0.1.evil.example:" + port, "http://evil.example/http://127.0.0.1:" + port,
                "http://127.0.0.1:" + port + "@evil.example", "http://evil.example?http://127.0.0.1:" + port,
                "http://127.0.0.1:" + (port + 1), "http://localhost:8080.evil.example", "http://evil-localhost:8080",
                "http://localhost:80801", "file://", "http://127.0.0.2:" + port, "http://[::1]:" + port + ".evil",
                " http://127.0.0.1:" + port + " x", "javascript:alert(1)", "http://%31%32%37.0.0.1:" + port);
    }

    @Test
    void aForeignOriginIsRefusedWhateverCarriesTheToken() {
        String token = TestJwt.customer(Attack.id("victim"));
        int refused = 0;
        for (String origin : foreignOrigins()) {
            for (WsClient.Builder way : List.of(WsClient.to(Suite.gateway().wsUrl()).bearer(token).origin(origin),
                    WsClient.to(Suite.gateway().wsUrl()).protocolToken(token).origin(origin),
                    WsClient.to(Suite.gateway().wsUrl()).queryToken(token).origin(origin),
                    WsClient.to(Suite.gateway().wsUrl()).origin(origin))) {
                assertThatThrownBy(way::connect).as(origin).isInstanceOfSatisfying(WsClient.Refused.class,
                        r -> assertThat(r.status()).as(origin).isEqualTo(403));
                refused++;
            }
        }
        System.out.println("[CrossSiteWebSocketIT] " + refused + " cross-site upgrades, all 403");
    }

    @Test
    void theGatewaysOwnOriginAndTheAllowListPass() {
        String token = TestJwt.customer(Attack.id("user"));
        for (String origin : List.of("http://127.0.0.1:" + Suite.gateway().port(), "http://localhost:8080")) {
            try (WsClient client = WsClient.to(Suite.gateway().wsUrl()).protocolToken(token).origin(origin).connect()) {
                client.awaitEvent("connection");
            }
        }
    }

    @Test
    void theDataServicesGrantNoForeignOriginByCors() {
        for (String base : List.of(Suite.ticketUrl(), Suite.chatUrl(), Suite.notificationUrl())) {
            Response preflight = given().baseUri(base).header("Origin", "https://evil.example")
                    .header("Access-Control-Request-Method", "GET")
                    .header("Access-Control-Request-Headers", "authorization").options("/api/v1/tickets");
            assertThat(preflight.header("Access-Control-Allow-Origin")).as(base).isNotIn("https://evil.example", "*");
            Response get = given().baseUri(base).header("Origin", "https://evil.example")
                    .auth().oauth2(TestJwt.customer(Attack.id("u"))).get("/api/v1/tickets");
            assertThat(get.header("Access-Control-Allow-Origin")).as(base).isNotIn("https://evil.example", "*");
            // The demo page's own origin is granted (the page needs it), so the check above is not vacuous.
            Response own = given().baseUri(base).header("Origin", "http://localhost:8080")
                    .header("Access-Control-Request-Method", "GET").options("/api/v1/tickets");
            assertThat(own.header("Access-Control-Allow-Origin")).as(base).isEqualTo("http://localhost:8080");
        }
    }
}
