package dev.switchboard.chat;

import static io.restassured.RestAssured.given;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;


import dev.switchboard.messaging.cloudevents.CloudEvent;
import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.TicketFeed;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * Tickets for chat tests, made the way chat-service learns of them: ticket events on
 * switchboard.ticket-events, shaped exactly as ticket-service's schemas say (each is validated
 * against them before it is sent).
 */
final class ChatFixture {
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final Path CHAT_SCHEMAS = Paths.get("src/main/resources/schemas/events");

    private ChatFixture() {
    }

    static String user(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    static String customer(String id) {
        return TestJwt.customer(id);
    }

    static String agent(String id) {
        return TestJwt.agent(id);
    }

    static RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).accept(ContentType.JSON);
    }

    /** Publishes ticket.created and waits until chat-service knows the ticket. */
    static TicketFeed.Ticket newTicket(String requester, String... watchers) {
        TicketFeed.Ticket t = TicketFeed.Ticket.open(requester, watchers);
        publish("switchboard.ticket.created.v1", t, Map.of("description", "chat test ticket"));
        awaitKnown(t.id());
        return t;
    }

    static void awaitKnown(UUID ticketId) {
        String token = agent("probe");
        Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50))
                .until(() -> as(token).get("/api/v1/tickets/" + ticketId + "/participants").statusCode() == 200);
    }

    static CloudEvent publish(String type, TicketFeed.Ticket t, Map<String, Object> extra) {
        TicketFeed.Sent sent = TicketFeed.ticketEvent(type, t, extra);
        return CloudEvent.fromKafka(sent.headers(), sent.data());
    }

    static void send(String key, CloudEvent event) {
        TicketFeed.send("switchboard.ticket-events", key, event.dataBytes(), event.toKafkaHeaders());
    }

    static void send(String key, byte[] value, CloudEvent headersOf) {
        TicketFeed.send("switchboard.ticket-events", key, value, headersOf.toKafkaHeaders());
    }

    static String send(String token, UUID ticketId, String text) {
        return as(token).body(Map.of("message", text)).post("/api/v1/tickets/" + ticketId + "/messages")
                .then().statusCode(201).extract().path("id");
    }
}
