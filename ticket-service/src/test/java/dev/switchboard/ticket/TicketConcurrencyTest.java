package dev.switchboard.ticket;

import static dev.switchboard.ticket.TicketApi.agent;
import static dev.switchboard.ticket.TicketApi.as;
import static dev.switchboard.ticket.TicketApi.uniqueUser;
import static dev.switchboard.ticket.TicketEventsTest.TIMEOUT;
import static dev.switchboard.ticket.TicketEventsTest.TOPIC;
import static dev.switchboard.ticket.TicketEventsTest.forTicket;
import static dev.switchboard.ticket.TicketEventsTest.header;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.switchboard.messaging.cloudevents.CloudEvent;
import dev.switchboard.testsupport.KafkaTopicReader;
import dev.switchboard.testsupport.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class TicketConcurrencyTest {
    private static final ExecutorService CLIENTS = Executors.newFixedThreadPool(16);

    @AfterAll
    static void stopClients() {
        CLIENTS.shutdownNow();
    }

    @Test
    void twoClientsPatchingTheSameVersionGetOne200AndOne409() {
        String token = agent(uniqueUser("agent"));
        try (KafkaTopicReader reader = KafkaTopicReader.fromNow(TOPIC)) {
            String id = TicketApi.create(token, "Contended").getString("id");
            List<Integer> statuses = all(List.of(
                    () -> as(token).body(Map.of("title", "Edit A", "version", 0)).patch("/api/v1/tickets/" + id).statusCode(),
                    () -> as(token).body(Map.of("title", "Edit B", "version", 0)).patch("/api/v1/tickets/" + id).statusCode()));
            assertThat(statuses).containsExactlyInAnyOrder(200, 409);
            TicketApi.changeStatus(token, id, "IN_PROGRESS").then().statusCode(200);

            List<ConsumerRecord<String, byte[]>> records = forTicket(reader.awaitRecords(TIMEOUT, all -> forTicket(all, id)
                    .stream().anyMatch(r -> header(r, CloudEvent.HEADER_TYPE).endsWith("status_changed.v1"))), id);
            assertThat(records).extracting(r -> header(r, CloudEvent.HEADER_TYPE)).containsExactly(
                    "switchboard.ticket.created.v1", "switchboard.ticket.updated.v1", "switchboard.ticket.status_changed.v1");
            assertThat(as(token).get("/api/v1/tickets/" + id).then().extract().jsonPath().getInt("version")).isEqualTo(2);
        }
    }

    @Test
    void watchingTwiceAtOnceNeverFailsWithAServerError() {
        String token = agent(uniqueUser("agent"));
        String id = TicketApi.create(token, "Double click").getString("id");
        List<Integer> statuses = all(List.of(
                () -> TicketApi.addWatcher(token, id, "clicker").statusCode(),
                () -> TicketApi.addWatcher(token, id, "clicker").statusCode()));
        assertThat(statuses).contains(200).allMatch(s -> s == 200 || s == 409);
        assertThat(as(token).get("/api/v1/tickets/" + id).then().extract().jsonPath().getList("watcher_ids"))
                .containsExactly("clicker");
    }

    @Test
    void fiftyConcurrentStatusChangesOnDifferentTicketsAllLandWithTheirEvents() {
        String token = agent(uniqueUser("agent"));
        try (KafkaTopicReader reader = KafkaTopicReader.fromNow(TOPIC)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                ids.add(TicketApi.create(token, "Busy ticket " + i).getString("id"));
            }
            List<Supplier<Integer>> changes = ids.stream()
                    .map(id -> (Supplier<Integer>) () -> TicketApi.changeStatus(token, id, "IN_PROGRESS").statusCode())
                    .toList();
            assertThat(all(changes)).hasSize(50).containsOnly(200);

            Set<String> wanted = Set.copyOf(ids);
            List<ConsumerRecord<String, byte[]>> records = reader.awaitRecords(TIMEOUT, all -> statusChangedKeys(all)
                    .containsAll(wanted));
            List<String> changed = records.stream()
                    .filter(r -> header(r, CloudEvent.HEADER_TYPE).endsWith("status_changed.v1"))
                    .map(ConsumerRecord::key).filter(wanted::contains).toList();
            assertThat(changed).hasSize(50).doesNotHaveDuplicates();
            for (String id : ids) {
                assertThat(as(token).get("/api/v1/tickets/" + id).then().extract().jsonPath().getString("status"))
                        .isEqualTo("IN_PROGRESS");
            }
        }
    }

    private static Set<String> statusChangedKeys(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().filter(r -> header(r, CloudEvent.HEADER_TYPE).endsWith("status_changed.v1"))
                .map(ConsumerRecord::key).collect(Collectors.toSet());
    }

    /** Runs the calls at once (released together) and returns their results. */
    private static List<Integer> all(List<Supplier<Integer>> calls) {
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Integer>> running = calls.stream().map(call -> CompletableFuture.supplyAsync(() -> {
            try {
                start.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return call.get();
        }, CLIENTS)).toList();
        start.countDown();
        return running.stream().map(CompletableFuture::join).toList();
    }
}
