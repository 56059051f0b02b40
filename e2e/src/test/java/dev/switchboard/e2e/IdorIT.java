package dev.switchboard.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.WsClient;
import io.restassured.http.ContentType;
import io.restassured.http.Method;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Insecure direct object references (issue 11): customer B, with a valid token, uses every id of
 * customer A's that takes an id — A's ticket, its chat message, attachment, comments, activity,
 * participants, A's notification, A's user id — on every REST endpoint and every WebSocket
 * request. Each is refused as if the object did not exist (403/404, {@code FORBIDDEN}/{@code
 * NOT_FOUND}), nothing of A's is in any answer, and A's data is unchanged afterwards.
 */
class IdorIT {
    private static final String SECRET = "idor-secret-" + Attack.id("s");

    private static String aliceId;
    private static String alice;
    private static String bob;
    private static String bobId;
    private static String ticketId;
    private static String messageId;
    private static String attachmentId;
    private static String notificationId;

    @BeforeAll
    static void victim() {
        Suite.start();
        aliceId = Attack.id("alice");
        alice = TestJwt.customer(aliceId);
        bobId = Attack.id("bob");
        bob = TestJwt.customer(bobId);
        ticketId = Attack.openTicket(alice, "IDOR: " + SECRET);
        messageId = Attack.message(alice, ticketId, "chat " + SECRET).path("id").asText();
        attachmentId = given().baseUri(Suite.chatUrl()).auth().oauth2(alice)
                .multiPart("file", "secret.txt", ("file " + SECRET).getBytes(), "text/plain")
                .post("/api/v1/tickets/" + ticketId + "/attachments").then().statusCode(201).extract().path("id");
        // A public comment by an agent gives Alice a notification (COMMENT_ADDED).
        Attack.comment(TestJwt.agent(Attack.id("agent")), ticketId, "comment " + SECRET, "PUBLIC");
        Awaitility.await("Alice's notification").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> !Attack.json(Attack.get(Suite.notificationUrl(), alice, "/api/v1/notifications").asString())
                        .path("items").isEmpty());
        notificationId = Attack.json(Attack.get(Suite.notificationUrl(), alice, "/api/v1/notifications").asString())
                .path("items").get(0).path("id").asText();
    }

    private record Call(String base, Method method, String path, Object body) {
        Response as(String token) {
            RequestSpecification spec = given().baseUri(base).auth().oauth2(token).contentType(ContentType.JSON);
            if (body != null) {
                spec = spec.body(body);
            }
            return spec.request(method, path);
        }
    }

    private static Map<String, Call> restCalls() {
        String t = Suite.ticketUrl();
        String c = Suite.chatUrl();
        String n = Suite.notificationUrl();
        String g = Suite.gateway().httpUrl();
        Map<String, Call> calls = new LinkedHashMap<>();
        calls.put("get ticket", new Call(t, Method.GET, "/api/v1/tickets/" + ticketId, null));
        calls.put("update ticket", new Call(t, Method.PATCH, "/api/v1/tickets/" + ticketId,
                Map.of("title", "hijacked", "version", 0)));
        calls.put("change status", new Call(t, Method.POST, "/api/v1/tickets/" + ticketId + "/status",
                Map.of("status", "CLOSED")));
        calls.put("assign", new Call(t, Method.POST, "/api/v1/tickets/" + ticketId + "/assignee",
                Map.of("assignee_id", bobId)));
        calls.put("add self as watcher", new Call(t, Method.POST, "/api/v1/tickets/" + ticketId + "/watchers/" + bobId, null));
        calls.put("remove the requester as watcher", new Call(t, Method.DELETE,
                "/api/v1/tickets/" + ticketId + "/watchers/" + aliceId, null));
        calls.put("list comments", new Call(t, Method.GET, "/api/v1/tickets/" + ticketId + "/comments", null));
        calls.put("add comment", new Call(t, Method.POST, "/api/v1/tickets/" + ticketId + "/comments",
                Map.of("body", "let me in", "visibility", "PUBLIC")));
        calls.put("activities", new Call(t, Method.GET, "/api/v1/tickets/" + ticketId + "/activities", null));
        calls.put("another user's tickets", new Call(t, Method.GET, "/api/v1/users/" + aliceId + "/tickets", null));
        calls.put("messages", new Call(c, Method.GET, "/api/v1/tickets/" + ticketId + "/messages", null));
        calls.put("messages by offset", new Call(c, Method.GET, "/api/v1/tickets/" + ticketId + "/messages?offset=0", null));
        calls.put("send message", new Call(c, Method.POST, "/api/v1/tickets/" + ticketId + "/messages",
                Map.of("message", "let me in")));
        calls.put("edit message", new Call(c, Method.PATCH, "/api/v1/messages/" + messageId, Map.of("message", "hijacked")));
        calls.put("delete message", new Call(c, Method.DELETE, "/api/v1/messages/" + messageId, null));
        calls.put("read receipt", new Call(c, Method.POST, "/api/v1/tickets/" + ticketId + "/read",
                Map.of("message_id", messageId)));
        calls.put("participants", new Call(c, Method.GET, "/api/v1/tickets/" + ticketId + "/participants", null));
        calls.put("search in ticket", new Call(c, Method.GET, "/api/v1/tickets/" + ticketId + "/messages/search?q=chat", null));
        calls.put("download attachment", new Call(c, Method.GET, "/api/v1/attachments/" + attachmentId, null));
        calls.put("mark notification read", new Call(n, Method.POST, "/api/v1/notifications/" + notificationId + "/read", null));
        calls.put("gateway: user's connections", new Call(g, Method.GET, "/api/v1/realtime/users/" + aliceId, null));
        calls.put("gateway: emit to the user", new Call(g, Method.POST, "/api/v1/realtime/emit/user/" + aliceId,
                Map.of("type", "phish", "payload", Map.of())));
        return calls;
    }

    @Test
    void everyRestEndpointRefusesAnotherCustomersIds() {
        Map<String, Call> calls = restCalls();
        for (Map.Entry<String, Call> call : calls.entrySet()) {
            Response answer = call.getValue().as(bob);
            assertThat(answer.statusCode()).as(call.getKey() + " -> " + answer.asString()).isIn(403, 404);
            assertThat(answer.asString()).as(call.getKey()).doesNotContain(SECRET);
        }
        // The attachment upload too (multipart).
        Response upload = given().baseUri(Suite.chatUrl()).auth().oauth2(bob)
                .multiPart("file", "x.txt", "planted".getBytes(), "text/plain")
                .post("/api/v1/tickets/" + ticketId + "/attachments");
        assertThat(upload.statusCode()).isIn(403, 404);
        // Lists and searches that take no id show none of it.
        for (String[] list : new String[][] { { Suite.ticketUrl(), "/api/v1/tickets" },
                { Suite.ticketUrl(), "/api/v1/tickets?requester=" + aliceId },
                { Suite.ticketUrl(), "/api/v1/tickets?text=" + SECRET },
                { Suite.chatUrl(), "/api/v1/messages/search?q=" + SECRET },
                { Suite.notificationUrl(), "/api/v1/notifications" } }) {
            Response answer = Attack.get(list[0], bob, list[1]);
            assertThat(answer.statusCode()).as(list[1]).isIn(200, 403, 404);
            assertThat(answer.asString()).as(list[1]).doesNotContain(SECRET).doesNotContain(ticketId);
        }
        // A foreign id answers exactly as an id that does not exist.
        Response missing = Attack.get(Suite.ticketUrl(), bob, "/api/v1/tickets/" + java.util.UUID.randomUUID());
        Response foreign = Attack.get(Suite.ticketUrl(), bob, "/api/v1/tickets/" + ticketId);
        assertThat(foreign.statusCode()).isEqualTo(missing.statusCode());
        System.out.println("[IdorIT] REST: " + (calls.size() + 6) + " requests with another customer's ids, all refused");
        assertAliceUntouched();
    }

    @Test
    void everyWebSocketRequestRefusesAnotherCustomersIds() {
        Map<String, Map<String, Object>> requests = new LinkedHashMap<>();
        requests.put("join_ticket", Map.of("ticket_id", ticketId));
        requests.put("join_ticket since", Map.of("ticket_id", ticketId, "since", 0));
        requests.put("get_ticket", Map.of("ticket_id", ticketId));
        requests.put("get_messages", Map.of("ticket_id", ticketId));
        requests.put("get_messages offset", Map.of("ticket_id", ticketId, "offset", 0));
        requests.put("get_ticket_activities", Map.of("ticket_id", ticketId));
        requests.put("get_online_users", Map.of("ticket_id", ticketId));
        requests.put("send_message", Map.of("ticket_id", ticketId, "message", "let me in"));
        requests.put("send_message with A's attachment", Map.of("ticket_id", ticketId, "message", "x",
                "attachments", List.of(attachmentId)));
        requests.put("typing_indicator", Map.of("ticket_id", ticketId, "is_typing", true));
        requests.put("typing_start", Map.of("ticket_id", ticketId));
        requests.put("message_seen", Map.of("ticket_id", ticketId, "message_id", messageId));
        requests.put("get_user_tickets", Map.of("user_id", aliceId));
        requests.put("mark_notification_read", Map.of("notification_id", notificationId));
        try (WsClient b = Attack.connect(bob, "bob")) {
            String bobTicket = Attack.openTicket(bob, "IDOR: Bob's own");
            for (Map.Entry<String, Map<String, Object>> request : requests.entrySet()) {
                String type = request.getKey().split(" ")[0];
                JsonNode answer = b.request(type, request.getValue());
                assertThat(answer.path("type").asText()).as(request.getKey() + " -> " + answer).isEqualTo("error");
                assertThat(answer.path("payload").path("code").asText()).as(request.getKey()).isIn("FORBIDDEN", "NOT_FOUND");
            }
            // Alice's attachment named on a message to Bob's own ticket: refused, not copied across.
            JsonNode smuggled = b.request("send_message", Map.of("ticket_id", bobTicket, "message", "look",
                    "attachments", List.of(attachmentId)));
            assertThat(smuggled.path("type").asText()).as(smuggled.toString()).isEqualTo("error");
            JsonNode lists = b.ack("list_tickets", Map.of("requester", aliceId));
            assertThat(lists.toString()).doesNotContain(ticketId);
            assertThat(b.ack("list_notifications", Map.of()).toString()).doesNotContain(SECRET);
            assertThat(b.frames().toString()).doesNotContain(SECRET);
            assertThat(b.isClosed()).isFalse();
        }
        assertAliceUntouched();
    }

    /** None of the refused requests changed anything of Alice's. */
    private static void assertAliceUntouched() {
        JsonNode ticket = Attack.json(Attack.get(Suite.ticketUrl(), alice, "/api/v1/tickets/" + ticketId).asString());
        assertThat(ticket.path("title").asText()).isEqualTo("IDOR: " + SECRET);
        assertThat(ticket.path("status").asText()).isEqualTo("OPEN");
        assertThat(ticket.path("assignee_id").isNull() || ticket.path("assignee_id").isMissingNode()).isTrue();
        assertThat(ticket.toString()).doesNotContain(bobId);
        String messages = Attack.get(Suite.chatUrl(), alice, "/api/v1/tickets/" + ticketId + "/messages").asString();
        assertThat(messages).contains("chat " + SECRET).doesNotContain("hijacked").doesNotContain("let me in");
        assertThat(Attack.get(Suite.ticketUrl(), alice, "/api/v1/tickets/" + ticketId + "/comments").asString())
                .doesNotContain("let me in");
        String notifications = Attack.get(Suite.notificationUrl(), alice, "/api/v1/notifications").asString();
        assertThat(Attack.json(notifications).path("items").get(0).path("read").asBoolean()).isFalse();
        assertThat(Attack.get(Suite.chatUrl(), alice, "/api/v1/attachments/" + attachmentId).statusCode()).isEqualTo(200);
    }
}
