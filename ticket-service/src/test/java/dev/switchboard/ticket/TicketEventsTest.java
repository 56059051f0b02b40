package dev.switchboard.ticket;

import static dev.switchboard.ticket.TicketApi.agent;
import static dev.switchboard.ticket.TicketApi.as;
import static dev.switchboard.ticket.TicketApi.uniqueUser;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.switchboard.messaging.cloudevents.CloudEvent;
import dev.switchboard.testsupport.EventSchemas;
import dev.switchboard.testsupport.KafkaTopicReader;
import dev.switchboard.testsupport.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

/** The CloudEvents each change puts on switchboard.ticket-events, read back with a real Kafka consumer. */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class TicketEventsTest {
    static final String TOPIC = "switchboard.ticket-events";
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final Path SCHEMAS = Paths.get("src/main/resources/schemas/events");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Pool database;

    @Test
    void eachChangeEmitsExactlyItsEventsInOrderMatchingTheSchemas() throws IOException {
        try (KafkaTopicReader reader = KafkaTopicReader.fromNow(TOPIC)) {
            String agentId = uniqueUser("agent");
            String token = agent(agentId);
            String requester = uniqueUser("cust");
            String id = TicketApi.create(token, Map.of("title", "Event trail", "requester_id", requester)).getString("id");
            as(token).body(Map.of("title", "Event trail, renamed", "version", 0)).patch("/api/v1/tickets/" + id).then().statusCode(200);
            TicketApi.changeStatus(token, id, "IN_PROGRESS").then().statusCode(200);
            TicketApi.assign(token, id, "agent-a").then().statusCode(200);
            TicketApi.assign(token, id, "agent-b").then().statusCode(200);
            TicketApi.addWatcher(token, id, "watcher-w").then().statusCode(200);
            as(token).delete("/api/v1/tickets/" + id + "/watchers/watcher-w").then().statusCode(200);
            TicketApi.comment(token, id, "for staff only", "INTERNAL").then().statusCode(201);
            // Refused or no-op requests emit nothing.
            TicketApi.changeStatus(token, id, "IN_PROGRESS").then().statusCode(409);
            TicketApi.assign(token, id, "agent-b").then().statusCode(200);
            TicketApi.changeStatus(token, id, "RESOLVED").then().statusCode(200);

            List<ConsumerRecord<String, byte[]>> records = forTicket(
                    reader.awaitRecords(TIMEOUT, all -> hasType(forTicket(all, id), "switchboard.ticket.status_changed.v1", 2)), id);
            List<String> types = records.stream().map(r -> header(r, CloudEvent.HEADER_TYPE)).toList();
            assertThat(types).containsExactly(
                    "switchboard.ticket.created.v1",
                    "switchboard.ticket.updated.v1",
                    "switchboard.ticket.status_changed.v1",
                    "switchboard.ticket.assigned.v1",
                    "switchboard.ticket.participant_added.v1",
                    "switchboard.ticket.assigned.v1",
                    "switchboard.ticket.participant_removed.v1",
                    "switchboard.ticket.participant_added.v1",
                    "switchboard.ticket.participant_added.v1",
                    "switchboard.ticket.participant_removed.v1",
                    "switchboard.ticket.comment_added.v1",
                    "switchboard.ticket.status_changed.v1");

            Set<String> ids = new HashSet<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                assertThat(record.key()).isEqualTo(id);
                assertThat(header(record, CloudEvent.HEADER_SPEC_VERSION)).isEqualTo("1.0");
                assertThat(ids.add(header(record, CloudEvent.HEADER_ID))).isTrue();
                assertThat(UUID.fromString(header(record, CloudEvent.HEADER_ID))).isNotNull();
                assertThat(header(record, CloudEvent.HEADER_SOURCE)).isEqualTo("/ticket-service");
                assertThat(header(record, CloudEvent.HEADER_SUBJECT)).isEqualTo(id);
                assertThat(OffsetDateTime.parse(header(record, CloudEvent.HEADER_TIME))).isNotNull();
                assertThat(header(record, CloudEvent.HEADER_CONTENT_TYPE)).isEqualTo("application/json");
                EventSchemas.assertValid(SCHEMAS, header(record, CloudEvent.HEADER_TYPE), record.value());
            }
            JsonNode updated = data(records.get(1));
            assertThat(updated.at("/changes/title/before").asText()).isEqualTo("Event trail");
            assertThat(updated.at("/changes/title/after").asText()).isEqualTo("Event trail, renamed");
            assertThat(updated.at("/actor/id").asText()).isEqualTo(agentId);
            JsonNode status = data(records.get(2));
            assertThat(status.get("old_status").asText()).isEqualTo("OPEN");
            assertThat(status.get("status").asText()).isEqualTo("IN_PROGRESS");
            JsonNode reassigned = data(records.get(5));
            assertThat(reassigned.get("old_assignee_id").asText()).isEqualTo("agent-a");
            assertThat(reassigned.get("assignee_id").asText()).isEqualTo("agent-b");
            assertThat(data(records.get(6)).get("user_id").asText()).isEqualTo("agent-a");
            assertThat(data(records.get(6)).get("role").asText()).isEqualTo("ASSIGNEE");
            assertThat(data(records.get(10)).at("/comment/visibility").asText()).isEqualTo("INTERNAL");
            assertThat(data(records.get(11)).at("/ticket/status").asText()).isEqualTo("RESOLVED");
            assertThat(data(records.get(0)).at("/ticket/requester_id").asText()).isEqualTo(requester);

            Set<String> schemaTypes = EventSchemas.types(SCHEMAS);
            assertThat(new HashSet<>(types)).as("every event type has a schema and is covered here").isEqualTo(schemaTypes);
        }
    }

    @Test
    void aRolledBackChangePublishesNothing() {
        // A real failure late in the real transaction: the activity insert, written after the outbox row, fails.
        database.query("""
                create or replace function reject_probe() returns trigger language plpgsql as $$
                begin
                    if new.after like '%rollback-probe%' then raise exception 'probe: rolled back on purpose'; end if;
                    return new;
                end; $$""").execute().await().atMost(TIMEOUT);
        database.query("create or replace trigger reject_probe before insert on ticket_activity for each row "
                + "execute function reject_probe()").execute().await().atMost(TIMEOUT);
        try (KafkaTopicReader reader = KafkaTopicReader.fromNow(TOPIC)) {
            String token = agent(uniqueUser("agent"));
            as(token).body(Map.of("title", "rollback-probe")).post("/api/v1/tickets").then().statusCode(500);
            String marker = TicketApi.create(token, "committed after the failed one").getString("id");

            List<ConsumerRecord<String, byte[]>> records = reader.awaitRecords(TIMEOUT, all -> !forTicket(all, marker).isEmpty());
            assertThat(records).noneMatch(r -> new String(r.value(), StandardCharsets.UTF_8).contains("rollback-probe"));
            long rows = database.query("select count(*) from ticket where title = 'rollback-probe'").execute()
                    .await().atMost(TIMEOUT).iterator().next().getLong(0);
            assertThat(rows).isZero();
        } finally {
            database.query("drop trigger if exists reject_probe on ticket_activity").execute().await().atMost(TIMEOUT);
        }
    }

    static List<ConsumerRecord<String, byte[]>> forTicket(List<ConsumerRecord<String, byte[]>> records, String id) {
        return records.stream().filter(r -> id.equals(r.key())).toList();
    }

    static boolean hasType(List<ConsumerRecord<String, byte[]>> records, String type, int count) {
        return records.stream().filter(r -> type.equals(header(r, CloudEvent.HEADER_TYPE))).count() >= count;
    }

    static String header(ConsumerRecord<String, byte[]> record, String name) {
        return CloudEvent.header(record.headers(), name);
    }

    static JsonNode data(ConsumerRecord<String, byte[]> record) throws IOException {
        return JSON.readTree(record.value());
    }

}
