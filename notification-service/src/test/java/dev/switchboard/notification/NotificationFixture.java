package dev.switchboard.notification;

import static io.restassured.RestAssured.given;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;

import dev.switchboard.messaging.cloudevents.CloudEvent;
import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.TicketFeed;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/** Events in the shapes ticket-service, chat-service and requesters use, and the user's view of the result. */
final class NotificationFixture {
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final Path OWN_SCHEMAS = Paths.get("src/main/resources/schemas/events");

    private NotificationFixture() {
    }

    static String user(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    static RequestSpecification as(String userId) {
        return given().auth().oauth2(TestJwt.customer(userId)).contentType(ContentType.JSON)
                .accept(ContentType.JSON);
    }

    static TicketFeed.Ticket ticket(String requester, String... watchers) {
        TicketFeed.Ticket t = TicketFeed.Ticket.open(requester, watchers);
        TicketFeed.ticketEvent("switchboard.ticket.created.v1", t, Map.of("description", "notification test"));
        return t;
    }

    static CloudEvent chat(TicketFeed.Ticket t, String authorId, String text, String... mentions) {
        return chat("switchboard.chat.message_created.v1", t, authorId, text, mentions);
    }

    /** A chat event of the given type (created or updated) about a message of {@code authorId}'s. */
    static CloudEvent chat(String type, TicketFeed.Ticket t, String authorId, String text, String... mentions) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("id", UUID.randomUUID().toString());
        message.put("ticket_id", t.id().toString());
        message.put("author_id", authorId);
        message.put("author_name", "Author " + authorId);
        message.put("type", "TEXT");
        message.put("message", text);
        message.put("mentions", List.of(mentions));
        message.put("attachments", List.of());
        message.put("client_msg_id", null);
        message.put("created_at", OffsetDateTime.now(ZoneOffset.UTC).toString());
        message.put("edited_at", null);
        message.put("deleted", false);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("ticket_id", t.id().toString());
        data.put("message", message);
        data.put("actor", Map.of("id", authorId, "name", "Author " + authorId));
        return event(TicketFeed.publish("switchboard.chat-events", t.id().toString(), type, "/chat-service", data,
                TicketFeed.CHAT_SCHEMAS));
    }

    /** A notification request from another service; also used as a marker that earlier events were processed. */
    static CloudEvent request(String userId, String type, String title) {
        return event(TicketFeed.publish("switchboard.notification-requests", userId, "switchboard.notification.requested.v1",
                "/test-service", Map.of("user_id", userId, "type", type, "title", title, "body", "from a test"), OWN_SCHEMAS));
    }

    static CloudEvent event(TicketFeed.Sent sent) {
        return CloudEvent.fromKafka(sent.headers(), sent.data());
    }

    /**
     * Sends a marker request to the user and waits for it: events about the same user that were
     * sent before it on other topics may still be on their way, so callers also await their own.
     */
    static JsonPath awaitNotifications(String userId, java.util.function.Predicate<JsonPath> done) {
        Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> done.test(as(userId).queryParam("limit", 100).get("/api/v1/notifications").then()
                        .statusCode(200).extract().jsonPath()));
        return as(userId).queryParam("limit", 100).get("/api/v1/notifications").then().extract().jsonPath();
    }

    static long unread(String userId) {
        return as(userId).get("/api/v1/notifications/unread-count").then().statusCode(200).extract().jsonPath().getLong("unread");
    }

    static List<String> types(JsonPath page) {
        return page.getList("items.type");
    }
}
