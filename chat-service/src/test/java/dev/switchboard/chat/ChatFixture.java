package dev.switchboard.chat;

import static io.restassured.RestAssured.given;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.switchboard.messaging.cloudevents.CloudEvent;
import dev.switchboard.testsupport.EventSchemas;
import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.TestStack;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * Tickets for chat tests, made the way chat-service learns of them: ticket events on
 * switchboard.ticket-events, shaped exactly as ticket-service's schemas say (each is validated
 * against them before it is sent).
 */
final class ChatFixture {
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final Path TICKET_SCHEMAS = Paths.get("../ticket-service/src/main/resources/schemas/events");
    static final Path CHAT_SCHEMAS = Paths.get("src/main/resources/schemas/events");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KafkaProducer<String, byte[]> producer;

    private ChatFixture() {
    }

    /** A ticket as chat-service sees it: id, participants and version. */
    record Ticket(UUID id, String requester, String assignee, List<String> watchers, String status, long version) {
        Ticket next(String assignee, List<String> watchers, String status) {
            return new Ticket(id, requester, assignee, watchers, status, version + 1);
        }
    }

    static String user(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    static String customer(String id) {
        return TestJwt.token(id, "Customer " + id, "customer");
    }

    static String agent(String id) {
        return TestJwt.token(id, "Agent " + id, "agent");
    }

    static RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).accept(ContentType.JSON);
    }

    /** Publishes ticket.created and waits until chat-service knows the ticket. */
    static Ticket newTicket(String requester, String... watchers) {
        Ticket t = new Ticket(UUID.randomUUID(), requester, null, List.of(watchers), "OPEN", 0);
        publish("switchboard.ticket.created.v1", t, Map.of("description", "chat test ticket"));
        awaitKnown(t.id());
        return t;
    }

    static void awaitKnown(UUID ticketId) {
        String token = agent("probe");
        Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50))
                .until(() -> as(token).get("/api/v1/tickets/" + ticketId + "/participants").statusCode() == 200);
    }

    /** Builds, validates against ticket-service's schema, and sends a ticket event; returns it. */
    static CloudEvent publish(String type, Ticket t, Map<String, Object> extra) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("ticket_id", t.id().toString());
        data.put("ticket", snapshot(t));
        data.putAll(extra);
        data.put("actor", Map.of("id", "agent-ann", "name", "Ann"));
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        EventSchemas.assertValid(TICKET_SCHEMAS, type, bytes);
        CloudEvent event = CloudEvent.create(type, "/ticket-service", t.id().toString(), new String(bytes, StandardCharsets.UTF_8));
        send(t.id().toString(), event);
        return event;
    }

    static void send(String key, CloudEvent event) {
        send(key, event.dataBytes(), event);
    }

    static synchronized void send(String key, byte[] value, CloudEvent headersOf) {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.PROFILE.kafkaBootstrap(),
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
        }
        try {
            producer.send(new ProducerRecord<>("switchboard.ticket-events", null, key, value, headersOf.toKafkaHeaders()))
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not publish a ticket event", e);
        }
    }

    private static Map<String, Object> snapshot(Ticket t) {
        Map<String, Object> s = new LinkedHashMap<>();
        String now = OffsetDateTime.now(ZoneOffset.UTC).toString();
        s.put("id", t.id().toString());
        s.put("number", "SB-" + (1000 + Math.abs(t.id().hashCode() % 100000)));
        s.put("title", "Chat test");
        s.put("status", t.status());
        s.put("priority", "NORMAL");
        s.put("requester_id", t.requester());
        s.put("assignee_id", t.assignee());
        s.put("watcher_ids", new ArrayList<>(t.watchers()));
        s.put("version", t.version());
        s.put("created_at", now);
        s.put("updated_at", now);
        return s;
    }

    static String send(String token, UUID ticketId, String text) {
        return as(token).body(Map.of("message", text)).post("/api/v1/tickets/" + ticketId + "/messages")
                .then().statusCode(201).extract().path("id");
    }
}
