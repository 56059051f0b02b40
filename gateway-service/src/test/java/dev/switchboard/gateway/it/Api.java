package dev.switchboard.gateway.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.TestRedis;
import dev.switchboard.testsupport.WsClient;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** The services' REST APIs as a user would call them, for setting up and changing tickets in tests. */
final class Api {
    private Api() {
    }

    /** Creates a ticket as {@code token}'s user (the requester), with watchers; returns its id. */
    static String createTicket(String token, String title, List<String> watchers) {
        return given().baseUri(Cluster.ticketUrl()).auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("title", title, "description", "from a gateway test", "watcher_ids", watchers))
                .post("/api/v1/tickets").then().statusCode(201).extract().path("id");
    }

    static JsonPath ticket(String token, String id) {
        return given().baseUri(Cluster.ticketUrl()).auth().oauth2(token).get("/api/v1/tickets/" + id).then()
                .statusCode(200).extract().jsonPath();
    }

    static void update(String token, String id, String title) {
        long version = ticket(token, id).getLong("version");
        given().baseUri(Cluster.ticketUrl()).auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("title", title, "version", version)).patch("/api/v1/tickets/" + id).then().statusCode(200);
    }

    static void status(String token, String id, String status) {
        given().baseUri(Cluster.ticketUrl()).auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("status", status)).post("/api/v1/tickets/" + id + "/status").then().statusCode(200);
    }

    static void assign(String token, String id, String assignee) {
        given().baseUri(Cluster.ticketUrl()).auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("assignee_id", assignee)).post("/api/v1/tickets/" + id + "/assignee").then()
                .statusCode(200);
    }

    static void comment(String token, String id, String body, String visibility) {
        given().baseUri(Cluster.ticketUrl()).auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("body", body, "visibility", visibility)).post("/api/v1/tickets/" + id + "/comments")
                .then().statusCode(201);
    }

    static void addWatcher(String token, String id, String userId) {
        given().baseUri(Cluster.ticketUrl()).auth().oauth2(token).contentType(ContentType.JSON)
                .post("/api/v1/tickets/" + id + "/watchers/" + userId)
                .then().statusCode(200);
    }

    static void removeWatcher(String token, String id, String userId) {
        given().baseUri(Cluster.ticketUrl()).auth().oauth2(token)
                .delete("/api/v1/tickets/" + id + "/watchers/" + userId).then().statusCode(200);
    }

    static void editMessage(String token, String messageId, String text) {
        given().baseUri(Cluster.chatUrl()).auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("message", text)).patch("/api/v1/messages/" + messageId).then().statusCode(200);
    }

    static void deleteMessage(String token, String messageId) {
        given().baseUri(Cluster.chatUrl()).auth().oauth2(token).delete("/api/v1/messages/" + messageId).then()
                .statusCode(200);
    }

    /**
     * One client whose connections stay open, for tests that post hundreds of requests one after the other
     * (RestAssured opens a connection and builds its machinery anew for each: about 15 ms a request here).
     */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * POSTs {@code body} as JSON with the bearer token; returns the answer's JSON, failing unless its status is
     * {@code status}.
     */
    static JsonNode postJson(String url, String token, Object body, int status) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(WsClient.JSON.writeValueAsString(body))).build();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("POST " + url + ": " + response.body()).isEqualTo(status);
            return WsClient.JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Posts a chat message over REST; returns its id. */
    static String postMessage(String token, String ticketId, String text) {
        return postJson(Cluster.chatUrl() + "/api/v1/tickets/" + ticketId + "/messages", token, Map.of("message", text),
                201).path("id").asText();
    }

    /**
     * Like {@link #postMessage}, retried while chat-service has not yet seen the ticket's creation event; returns once
     * the message is in the ticket room's log.
     */
    static String postFirstMessage(String token, String ticketId, String text) {
        String[] id = new String[1];
        Awaitility.await("chat-service knows ticket " + ticketId).atMost(Duration.ofSeconds(20))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200)).until(() -> {
                    var response = given().baseUri(Cluster.chatUrl()).auth().oauth2(token).contentType(ContentType.JSON)
                            .body(Map.of("message", text)).post("/api/v1/tickets/" + ticketId + "/messages");
                    if (response.statusCode() == 201) {
                        id[0] = response.path("id");
                        return true;
                    }
                    return false;
                });
        // The message reaches the room through Kafka, after the REST call returned: wait until the room log has
        // it, or it could arrive after a test's client took its position and count as one it missed.
        String log = "sb:{ticket:" + ticketId + "}:log";
        Awaitility.await("the first message of ticket " + ticketId + " is in its room log")
                .atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                .until(() -> TestRedis.reply("XRANGE", log, "-", "+").contains(id[0]));
        return id[0];
    }
}
