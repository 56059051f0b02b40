package dev.switchboard.testsupport;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
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
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;


/**
 * Events as the producing services shape them, for the tests of the services that consume them:
 * each is validated against its producer's JSON Schema (in the producer's module) before it is sent
 * to the real Kafka of the test stack.
 */
public final class TicketFeed {
    public static final Path TICKET_SCHEMAS = Paths.get("../ticket-service/src/main/resources/schemas/events");
    public static final Path CHAT_SCHEMAS = Paths.get("../chat-service/src/main/resources/schemas/events");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KafkaProducer<String, byte[]> producer;

    private TicketFeed() {
    }

    /** A ticket as its events describe it: id, participants, status and version. */
    public record Ticket(UUID id, String requester, String assignee, List<String> watchers, String status, long version) {
        public static Ticket open(String requester, String... watchers) {
            return new Ticket(UUID.randomUUID(), requester, null, List.of(watchers), "OPEN", 0);
        }

        public Ticket next(String assignee, List<String> watchers, String status) {
            return new Ticket(id, requester, assignee, watchers, status, version + 1);
        }

        public String number() {
            return "SB-" + (1000 + Math.abs(id.hashCode() % 100000));
        }
    }

    /** What was sent: the record's key, value and CloudEvent headers (binary mode). */
    public record Sent(String key, byte[] data, Headers headers) {
    }

    /** A ticket event with the ticket's snapshot, actor Ann (agent-ann) unless {@code extra} names another. */
    public static Sent ticketEvent(String type, Ticket t, Map<String, Object> extra) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("ticket_id", t.id().toString());
        data.put("ticket", snapshot(t));
        data.put("actor", Map.of("id", "agent-ann", "name", "Ann"));
        data.putAll(extra);
        return publish("switchboard.ticket-events", t.id().toString(), type, "/ticket-service", data, TICKET_SCHEMAS);
    }

    /** Builds, validates against {@code schemas}, and sends an event; returns it. */
    public static Sent publish(String topic, String key, String type, String source, Object data, Path schemas) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        EventSchemas.assertValid(schemas, type, bytes);
        Headers headers = cloudEventHeaders(type, source, key);
        send(topic, key, bytes, headers);
        return new Sent(key, bytes, headers);
    }

    /** A new event's CloudEvent attributes as Kafka headers (binary mode, SPEC §4), as the services' outbox writes them. */
    public static Headers cloudEventHeaders(String type, String source, String subject) {
        Headers headers = new RecordHeaders();
        header(headers, "ce_specversion", "1.0");
        header(headers, "ce_id", UUID.randomUUID().toString());
        header(headers, "ce_type", type);
        header(headers, "ce_source", source);
        header(headers, "ce_subject", subject);
        header(headers, "ce_time", OffsetDateTime.now(ZoneOffset.UTC).toString());
        header(headers, "content-type", "application/json");
        return headers;
    }

    private static void header(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends raw bytes with the given headers: replays, and records no consumer can read. */
    public static synchronized void send(String topic, String key, byte[] value, Headers headers) {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.PROFILE.kafkaBootstrap(),
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
        }
        try {
            producer.send(new ProducerRecord<>(topic, null, key, value, headers)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not publish to " + topic, e);
        }
    }

    private static Map<String, Object> snapshot(Ticket t) {
        Map<String, Object> s = new LinkedHashMap<>();
        String now = OffsetDateTime.now(ZoneOffset.UTC).toString();
        s.put("id", t.id().toString());
        s.put("number", t.number());
        s.put("title", "Feed ticket");
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
}
