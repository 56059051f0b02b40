package dev.switchboard.e2e;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.WsClient;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * What the security and fuzz tests (issue 11) share: the profile (short in CI, {@code
 * -Dswitchboard.profile=long} for a longer run), the fuzzers' seed, and the helpdesk steps that set
 * up a victim's data over the real REST APIs.
 */
final class Attack {
    /** {@code -Dswitchboard.profile=long} raises every iteration count and duration. */
    static final boolean LONG = "long".equals(System.getProperty("switchboard.profile"));

    private Attack() {
    }

    /** Iterations for a fuzzer: {@code -Dfuzz.iterations} if set, else the profile's figure. */
    static int iterations(int shortProfile, int longProfile) {
        String set = System.getProperty("fuzz.iterations");
        return set != null && !set.isBlank() ? Integer.parseInt(set.trim()) : LONG ? longProfile : shortProfile;
    }

    /**
     * The seed of a fuzz run, printed either way: {@code -Dfuzz.seed} to reproduce one; else a fresh one in
     * the long profile (to find what no run found yet), and in the short profile (CI) {@code fixed}, a seed
     * that has run clean, so that the test suite is deterministic: a new finding of a fresh seed becomes a
     * fix and a pinned test, never a red CI run by chance.
     */
    static long seed(String fuzzer, long fixed) {
        String set = System.getProperty("fuzz.seed");
        long seed = set != null && !set.isBlank() ? Long.parseLong(set.trim()) : LONG ? System.nanoTime() : fixed;
        System.out.println("[" + fuzzer + "] seed " + seed + " (reproduce with -Dfuzz.seed=" + seed + ")");
        return seed;
    }

    static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static WsClient connect(String token, String name) {
        WsClient client = WsClient.to(Suite.gateway().wsUrl()).bearer(token).name(name).connect();
        client.awaitEvent("connection");
        return client;
    }

    /** Opens a ticket as {@code token}; returns once chat-service, which learns of it through Kafka, knows it too. */
    static String openTicket(String token, String title) {
        String ticketId = given().baseUri(Suite.ticketUrl()).auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("title", title, "description", "opened by a security test", "priority", "LOW"))
                .post("/api/v1/tickets").then().statusCode(201).extract().path("id");
        Awaitility.await("chat-service knows ticket " + ticketId).atMost(Duration.ofSeconds(20))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                .until(() -> given().baseUri(Suite.chatUrl()).auth()
                        .oauth2(token).get("/api/v1/tickets/" + ticketId + "/participants").statusCode() == 200);
        return ticketId;
    }

    static void comment(String token, String ticketId, String body, String visibility) {
        given().baseUri(Suite.ticketUrl()).auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("body", body, "visibility", visibility)).post("/api/v1/tickets/" + ticketId + "/comments")
                .then().statusCode(201);
    }

    /** Posts a chat message over REST; returns the stored message. */
    static JsonNode message(String token, String ticketId, String text) {
        String body = given().baseUri(Suite.chatUrl()).auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("message", text)).post("/api/v1/tickets/" + ticketId + "/messages").then().statusCode(201)
                .extract().asString();
        return json(body);
    }

    /** Joins the ticket room; chat-service may still be learning about a brand-new ticket, so FORBIDDEN is retried. */
    static void join(WsClient client, String ticketId) {
        Awaitility.await(client.name() + " joins " + ticketId).atMost(Duration.ofSeconds(20))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                .until(() -> "ack".equals(client.request("join_ticket", Map.of("ticket_id", ticketId)).path("type").asText()));
    }

    static Response get(String baseUri, String token, String path) {
        return given().baseUri(baseUri).auth().oauth2(token).get(path);
    }

    static JsonNode json(String text) {
        try {
            return WsClient.JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
