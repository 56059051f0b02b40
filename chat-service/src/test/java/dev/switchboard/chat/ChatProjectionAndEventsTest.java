package dev.switchboard.chat;

import static dev.switchboard.chat.ChatFixture.agent;
import static dev.switchboard.chat.ChatFixture.as;
import static dev.switchboard.chat.ChatFixture.customer;
import static dev.switchboard.chat.ChatFixture.newTicket;
import static dev.switchboard.chat.ChatFixture.user;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.switchboard.messaging.cloudevents.CloudEvent;
import dev.switchboard.testsupport.EventSchemas;
import dev.switchboard.testsupport.KafkaTopicReader;
import dev.switchboard.testsupport.LocalStackResource;
import dev.switchboard.testsupport.TicketFeed;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class ChatProjectionAndEventsTest {
    @Inject
    Pool database;

    @Test
    void statusAndAssignmentChangesBecomeSystemMessagesOnceEvenWhenReplayed() {
        String me = user("cust");
        TicketFeed.Ticket t = newTicket(me);
        TicketFeed.Ticket resolved = t.next(null, List.of(), "RESOLVED");
        CloudEvent status = ChatFixture.publish("switchboard.ticket.status_changed.v1", resolved,
                Map.of("old_status", "OPEN", "status", "RESOLVED"));
        TicketFeed.Ticket assigned = resolved.next("agent-ann", List.of(), "RESOLVED");
        Map<String, Object> assignment = new java.util.HashMap<>();
        assignment.put("old_assignee_id", null);
        assignment.put("assignee_id", "agent-ann");
        CloudEvent assign = ChatFixture.publish("switchboard.ticket.assigned.v1", assigned, assignment);
        String url = "/api/v1/tickets/" + t.id() + "/messages";
        Awaitility.await().atMost(ChatFixture.TIMEOUT).until(() -> as(customer(me)).get(url).then().extract()
                .jsonPath().getList("items").size() == 2);
        List<String> texts = as(customer(me)).get(url).then().extract().jsonPath().getList("items.message");
        assertThat(texts).containsExactly("Status changed to RESOLVED by Ann", "Assigned to agent-ann by Ann");
        assertThat(as(customer(me)).get(url).then().extract().jsonPath().getList("items.type")).containsOnly("SYSTEM");

        // Replays (same ce_id) and stale copies (older version, new ce_id) change nothing.
        ChatFixture.send(t.id().toString(), status);
        ChatFixture.send(t.id().toString(), assign);
        ChatFixture.publish("switchboard.ticket.created.v1", t, Map.of("description", "stale copy"));
        TicketFeed.Ticket marker = assigned.next("agent-ann", List.of("late-watcher"), "RESOLVED");
        ChatFixture.publish("switchboard.ticket.participant_added.v1", marker, Map.of("user_id", "late-watcher", "role", "WATCHER"));
        Awaitility.await().atMost(ChatFixture.TIMEOUT).until(() -> as(customer("late-watcher")).get(url).statusCode() == 200);
        assertThat(as(customer(me)).get(url).then().extract().jsonPath().getList("items")).hasSize(2);
        var row = database.preparedQuery("select status, assignee_id, version from ticket_projection where ticket_id = $1")
                .execute(Tuple.of(t.id())).await().atMost(ChatFixture.TIMEOUT).iterator().next();
        assertThat(row.getString("status")).isEqualTo("RESOLVED");
        assertThat(row.getString("assignee_id")).isEqualTo("agent-ann");
        assertThat(row.getLong("version")).isEqualTo(marker.version());
    }

    @Test
    void anEventThatCannotBeProcessedGoesToTheDeadLetterTopicAndTheRestGoOn() {
        try (KafkaTopicReader dlq = KafkaTopicReader.fromNow("switchboard.chat-service.ticket-events.dlq")) {
            CloudEvent broken = CloudEvent.create("switchboard.ticket.created.v1", "/ticket-service", "broken",
                    "{\"ticket_id\": \"not-a-uuid\", \"ticket\": {}}");
            ChatFixture.send("broken-key", broken);
            ChatFixture.send("garbage-key", "not json at all".getBytes(StandardCharsets.UTF_8),
                    CloudEvent.create("switchboard.ticket.created.v1", "/ticket-service", "garbage", "{}"));
            TicketFeed.Ticket after = newTicket(user("cust"));
            assertThat(after).isNotNull();
            List<ConsumerRecord<String, byte[]>> dead = dlq.awaitRecords(ChatFixture.TIMEOUT,
                    all -> all.stream().map(ConsumerRecord::key).toList().containsAll(List.of("broken-key", "garbage-key")));
            assertThat(dead).extracting(ConsumerRecord::key).contains("broken-key", "garbage-key");
        }
    }

    @Test
    void aTextMessageWakesTheRelayInProcessWithoutANotificationWhileOtherChangesNotify() {
        String me = user("cust");
        TicketFeed.Ticket t = newTicket(me);
        SqlConnection listener = database.getConnection().await().atMost(ChatFixture.TIMEOUT);
        try (KafkaTopicReader reader = KafkaTopicReader.fromNow("switchboard.chat-events")) {
            List<String> notified = new CopyOnWriteArrayList<>();
            PgConnection.cast(listener).notificationHandler(n -> notified.add(n.getChannel()));
            listener.query("listen switchboard_outbox").execute().await().atMost(ChatFixture.TIMEOUT);

            String id = ChatFixture.send(customer(me), t.id(), "hello");
            reader.awaitRecords(ChatFixture.TIMEOUT, all -> types(all, t).contains("switchboard.chat.message_created.v1"));
            // An edit goes the general way (its transaction, then the outbox trigger's notification). PostgreSQL
            // sends notifications in commit order, so once the edit's is here the send's would have been too.
            as(customer(me)).body(Map.of("message", "hello again")).patch("/api/v1/messages/" + id).then().statusCode(200);
            reader.awaitRecords(ChatFixture.TIMEOUT, all -> types(all, t).contains("switchboard.chat.message_updated.v1"));
            Awaitility.await().atMost(ChatFixture.TIMEOUT).pollDelay(Duration.ZERO).until(() -> !notified.isEmpty());
            assertThat(notified).as("notifications: the edit's only").containsExactly("switchboard_outbox");
        } finally {
            listener.close().await().atMost(ChatFixture.TIMEOUT);
        }
    }

    private static List<String> types(List<ConsumerRecord<String, byte[]>> records, TicketFeed.Ticket t) {
        return records.stream().filter(r -> t.id().toString().equals(r.key()))
                .map(r -> CloudEvent.header(r.headers(), CloudEvent.HEADER_TYPE)).toList();
    }

    @Test
    void everyChangeEmitsItsCloudEventMatchingTheSchemas() {
        String me = user("cust");
        TicketFeed.Ticket t = newTicket(me);
        try (KafkaTopicReader reader = KafkaTopicReader.fromNow("switchboard.chat-events")) {
            String id = ChatFixture.send(customer(me), t.id(), "hello");
            as(customer(me)).body(Map.of("message", "hello again")).patch("/api/v1/messages/" + id).then().statusCode(200);
            as(agent(user("agent"))).body(Map.of("message_id", id)).post("/api/v1/tickets/" + t.id() + "/read").then().statusCode(200);
            as(customer(me)).delete("/api/v1/messages/" + id).then().statusCode(200);
            List<ConsumerRecord<String, byte[]>> records = reader.awaitRecords(ChatFixture.TIMEOUT, all -> all.stream()
                    .filter(r -> t.id().toString().equals(r.key())).count() >= 4).stream()
                    .filter(r -> t.id().toString().equals(r.key())).toList();
            List<String> types = records.stream().map(r -> CloudEvent.header(r.headers(), CloudEvent.HEADER_TYPE)).toList();
            assertThat(types).containsExactly("switchboard.chat.message_created.v1", "switchboard.chat.message_updated.v1",
                    "switchboard.chat.message_seen.v1", "switchboard.chat.message_deleted.v1");
            for (ConsumerRecord<String, byte[]> r : records) {
                assertThat(CloudEvent.header(r.headers(), CloudEvent.HEADER_SOURCE)).isEqualTo("/chat-service");
                assertThat(CloudEvent.header(r.headers(), CloudEvent.HEADER_SUBJECT)).isEqualTo(t.id().toString());
                EventSchemas.assertValid(ChatFixture.CHAT_SCHEMAS, CloudEvent.header(r.headers(), CloudEvent.HEADER_TYPE), r.value());
            }
            Set<String> covered = new HashSet<>(types);
            assertThat(covered).isEqualTo(EventSchemas.types(ChatFixture.CHAT_SCHEMAS));
        }
    }
}
