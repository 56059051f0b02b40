package dev.switchboard.notification;

import static dev.switchboard.notification.NotificationFixture.as;
import static dev.switchboard.notification.NotificationFixture.awaitNotifications;
import static dev.switchboard.notification.NotificationFixture.request;
import static dev.switchboard.notification.NotificationFixture.types;
import static dev.switchboard.notification.NotificationFixture.unread;
import static dev.switchboard.notification.NotificationFixture.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.switchboard.messaging.cloudevents.CloudEvent;
import dev.switchboard.testsupport.EventSchemas;
import dev.switchboard.testsupport.KafkaTopicReader;
import dev.switchboard.testsupport.LocalStackResource;
import dev.switchboard.testsupport.TicketFeed;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Exactly-once effect, exact unread counts under load, reads, events and bad input. */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class NotificationDeliveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Pool database;

    @Test
    void theSameEventDeliveredTwiceCreatesOneNotification() {
        String u = user("u");
        CloudEvent once = request(u, "DIGEST", "Weekly digest");
        TicketFeed.send("switchboard.notification-requests", u, once.dataBytes(), once.toKafkaHeaders());
        TicketFeed.send("switchboard.notification-requests", u, once.dataBytes(), once.toKafkaHeaders());
        request(u, "MARKER", "marker");
        JsonPath page = awaitNotifications(u, p -> types(p).contains("MARKER"));
        assertThat(types(page)).containsExactlyInAnyOrder("DIGEST", "MARKER");
    }

    @Test
    void theUnreadCountStaysExactUnder200ConcurrentEventsAndEveryEventCarriesTheDatabaseCount() throws Exception {
        String u = user("busy");
        try (KafkaTopicReader events = KafkaTopicReader.fromNow("switchboard.notification-events")) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<CompletableFuture<Void>> sends = IntStream.range(0, 200).mapToObj(i -> CompletableFuture.runAsync(
                        () -> request(u, "LOAD", "event " + i), pool)).toList();
                CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get();
            } finally {
                pool.shutdown();
            }
            List<ConsumerRecord<String, byte[]>> records = events.awaitRecords(NotificationFixture.TIMEOUT,
                    all -> forUser(all, u).size() >= 200);
            List<Long> counts = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : forUser(records, u)) {
                EventSchemas.assertValid(NotificationFixture.OWN_SCHEMAS, CloudEvent.header(r.headers(), CloudEvent.HEADER_TYPE), r.value());
                counts.add(JSON.readTree(r.value()).path("unread").asLong());
            }
            assertThat(counts).containsExactlyElementsOf(IntStream.rangeClosed(1, 200).mapToObj(Long::valueOf).toList());
            assertThat(unread(u)).isEqualTo(200);
            assertThat(dbUnread(u)).isEqualTo(200);

            JsonPath first = as(u).queryParam("limit", 100).get("/api/v1/notifications").then().statusCode(200).extract().jsonPath();
            String one = first.getString("items[0].id");
            as(u).post("/api/v1/notifications/" + one + "/read").then().statusCode(200).body("unread", equalTo(199));
            as(u).post("/api/v1/notifications/" + one + "/read").then().statusCode(200).body("unread", equalTo(199));
            as(u).post("/api/v1/notifications/read-all").then().statusCode(200).body("unread", equalTo(0));
            List<ConsumerRecord<String, byte[]>> reads = events.awaitRecords(NotificationFixture.TIMEOUT, all -> forUser(all, u)
                    .stream().filter(r -> CloudEvent.header(r.headers(), CloudEvent.HEADER_TYPE).endsWith("read.v1")).count() == 2);
            List<JsonNode> readEvents = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : forUser(reads, u)) {
                if (CloudEvent.header(r.headers(), CloudEvent.HEADER_TYPE).endsWith("read.v1")) {
                    EventSchemas.assertValid(NotificationFixture.OWN_SCHEMAS, "switchboard.notification.read.v1", r.value());
                    readEvents.add(JSON.readTree(r.value()));
                }
            }
            assertThat(readEvents.get(0).path("unread").asLong()).isEqualTo(199);
            assertThat(readEvents.get(0).path("notification_ids").get(0).asText()).isEqualTo(one);
            assertThat(readEvents.get(1).path("unread").asLong()).isZero();
            assertThat(readEvents.get(1).path("notification_ids").size()).isEqualTo(199);
            assertThat(dbUnread(u)).isZero();

            // Paging walks all 200, newest first, with no repeats.
            List<String> seen = new ArrayList<>();
            String cursor = null;
            do {
                var req = as(u).queryParam("limit", 60);
                if (cursor != null) {
                    req.queryParam("cursor", cursor);
                }
                JsonPath page = req.get("/api/v1/notifications").then().statusCode(200).extract().jsonPath();
                seen.addAll(page.getList("items.id"));
                cursor = page.getString("next_cursor");
            } while (cursor != null);
            assertThat(seen).hasSize(200).doesNotHaveDuplicates();
        }
    }

    /**
     * A chat poll with messages on two tickets for the same two participants, and a mention: each user gets one
     * NEW_MESSAGE per ticket counting that ticket's messages, the mention on its own, and every event of the poll
     * (written together, one statement for all) is valid and carries the user's unread count after its own change,
     * the last one the database's.
     */
    @Test
    void aPollOnTwoTicketsGivesEachParticipantAStepPerTicketAndExactCounts() throws Exception {
        String requester = user("req");
        String watcher = user("watch");
        String agent = user("agent");
        TicketFeed.Ticket first = NotificationFixture.ticket(requester, watcher);
        TicketFeed.Ticket second = NotificationFixture.ticket(requester, watcher);
        try (KafkaTopicReader events = KafkaTopicReader.fromNow("switchboard.notification-events")) {
            for (int i = 1; i <= 3; i++) {
                NotificationFixture.chat(first, agent, "first ticket " + i);
            }
            NotificationFixture.chat(second, agent, "second ticket 1");
            NotificationFixture.chat(second, agent, "@" + watcher + " second ticket 2", watcher);
            awaitNotifications(watcher, p -> p.getList("items").size() == 3
                    && p.getList("items.count", Integer.class).stream().mapToInt(Integer::intValue).sum() == 6);
            JsonPath page = awaitNotifications(requester, p -> p.getList("items").size() == 2
                    && p.getList("items.count", Integer.class).stream().mapToInt(Integer::intValue).sum() == 5);
            assertThat(types(page)).containsExactly("NEW_MESSAGE", "NEW_MESSAGE");
            assertThat(page.getInt("items.find { it.ticket_id == '" + first.id() + "' }.count")).isEqualTo(3);
            assertThat(page.getString("items.find { it.ticket_id == '" + second.id() + "' }.body"))
                    .isEqualTo("@" + watcher + " second ticket 2");
            assertThat(types(awaitNotifications(watcher, p -> true)))
                    .containsExactlyInAnyOrder("NEW_MESSAGE", "NEW_MESSAGE", "MENTION");

            for (String u : List.of(requester, watcher)) {
                long expected = u.equals(requester) ? 2 : 3;
                List<ConsumerRecord<String, byte[]>> records = events.awaitRecords(NotificationFixture.TIMEOUT,
                        all -> !forUser(all, u).isEmpty() && lastUnread(forUser(all, u)) == expected);
                List<Long> counts = new ArrayList<>();
                for (ConsumerRecord<String, byte[]> r : forUser(records, u)) {
                    EventSchemas.assertValid(NotificationFixture.OWN_SCHEMAS, "switchboard.notification.created.v1", r.value());
                    counts.add(JSON.readTree(r.value()).path("unread").asLong());
                }
                assertThat(counts).as("unread counts in %s's events", u).isSorted().last().isEqualTo(expected);
                assertThat(dbUnread(u)).isEqualTo(expected);
            }
        }
    }

    private static long lastUnread(List<ConsumerRecord<String, byte[]>> records) {
        try {
            return JSON.readTree(records.get(records.size() - 1).value()).path("unread").asLong();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void nobodyReadsSomeoneElsesNotificationsAndBadParametersAre400() {
        String owner = user("owner");
        request(owner, "PRIVATE", "mine");
        String id = awaitNotifications(owner, p -> types(p).contains("PRIVATE")).getString("items[0].id");
        as(user("thief")).post("/api/v1/notifications/" + id + "/read").then().statusCode(404);
        as(owner).post("/api/v1/notifications/not-an-id/read").then().statusCode(404);
        as(owner).queryParam("limit", 0).get("/api/v1/notifications").then().statusCode(400).body("errors.field", hasItem("limit"));
        as(owner).queryParam("cursor", "%%%").get("/api/v1/notifications").then().statusCode(400);
        io.restassured.RestAssured.given().get("/api/v1/notifications").then().statusCode(401);
        assertThat(unread(owner)).isEqualTo(1);
    }

    @Test
    void aRequestThatCannotBeProcessedGoesToTheDeadLetterTopicAndTheRestGoOn() {
        String u = user("u");
        try (KafkaTopicReader dlq = KafkaTopicReader.fromNow("switchboard.notification-service.notification-requests.dlq")) {
            CloudEvent bad = CloudEvent.create("switchboard.notification.requested.v1", "/test", u, "{\"user_id\": \"\"}");
            TicketFeed.send("switchboard.notification-requests", "bad-" + u, bad.dataBytes(), bad.toKafkaHeaders());
            TicketFeed.send("switchboard.notification-requests", "garbage-" + u, "{not json".getBytes(StandardCharsets.UTF_8), bad.toKafkaHeaders());
            request(u, "AFTER", "after the bad ones");
            awaitNotifications(u, p -> types(p).contains("AFTER"));
            List<ConsumerRecord<String, byte[]>> dead = dlq.awaitRecords(NotificationFixture.TIMEOUT, all -> all.stream()
                    .map(ConsumerRecord::key).toList().containsAll(List.of("bad-" + u, "garbage-" + u)));
            assertThat(dead).extracting(ConsumerRecord::key).contains("bad-" + u, "garbage-" + u);
        }
    }

    /** Chat events come a poll at a time, applied in one transaction: a bad one must cost only itself. */
    @Test
    void aChatEventThatCannotBeProcessedGoesToTheDeadLetterTopicAndTheMessagesAroundItStillNotify() {
        String requester = user("req");
        String agent = user("agent");
        TicketFeed.Ticket t = NotificationFixture.ticket(requester);
        String key = t.id().toString();
        try (KafkaTopicReader dlq = KafkaTopicReader.fromNow("switchboard.notification-service.chat-events.dlq")) {
            NotificationFixture.chat(t, agent, "before");
            CloudEvent bad = CloudEvent.create("switchboard.chat.message_created.v1", "/test", key,
                    "{\"ticket_id\": \"not-a-uuid\"}");
            TicketFeed.send("switchboard.chat-events", key, bad.dataBytes(), bad.toKafkaHeaders());
            CloudEvent garbage = CloudEvent.create("switchboard.chat.message_created.v1", "/test", key, "{}");
            TicketFeed.send("switchboard.chat-events", key, "{not json".getBytes(StandardCharsets.UTF_8),
                    garbage.toKafkaHeaders());
            NotificationFixture.chat(t, agent, "after");
            JsonPath page = awaitNotifications(requester, p -> !p.getList("items").isEmpty()
                    && "after".equals(p.getString("items[0].body")));
            assertThat(types(page)).containsExactly("NEW_MESSAGE");
            assertThat(page.getInt("items[0].count")).isEqualTo(2);
            List<ConsumerRecord<String, byte[]>> dead = dlq.awaitRecords(NotificationFixture.TIMEOUT,
                    all -> forUser(all, key).size() >= 2);
            assertThat(forUser(dead, key)).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .containsExactly("{\"ticket_id\": \"not-a-uuid\"}", "{not json");
        }
    }

    private long dbUnread(String u) {
        return database.preparedQuery("select count(*) from notification where user_id = $1 and read_at is null")
                .execute(Tuple.of(u)).await().atMost(NotificationFixture.TIMEOUT).iterator().next().getLong(0);
    }

    private static List<ConsumerRecord<String, byte[]>> forUser(List<ConsumerRecord<String, byte[]>> all, String u) {
        return all.stream().filter(r -> u.equals(r.key())).toList();
    }
}
