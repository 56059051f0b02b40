package dev.switchboard.gateway.it;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;

import dev.switchboard.testsupport.TestRedis;
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

    /** Posts a chat message over REST; returns its id. */
    static String postMessage(String token, String ticketId, String text) {
        return given().baseUri(Cluster.chatUrl()).auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("message", text)).post("/api/v1/tickets/" + ticketId + "/messages").then().statusCode(201)
                .extract().path("id");
    }

    /**
     * Like {@link #postMessage}, retried while chat-service has not yet seen the ticket's creation event; returns once
     * the message is in the ticket room's log.
     */
    static String postFirstMessage(String token, String ticketId, String text) {
        String[] id = new String[1];
        Awaitility.await("chat-service knows ticket " + ticketId).atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
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
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> TestRedis.reply("XRANGE", log, "-", "+").contains(id[0]));
        return id[0];
    }
}
