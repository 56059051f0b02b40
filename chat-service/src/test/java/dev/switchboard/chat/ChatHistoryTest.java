package dev.switchboard.chat;

import static dev.switchboard.chat.ChatFixture.agent;
import static dev.switchboard.chat.ChatFixture.as;
import static dev.switchboard.chat.ChatFixture.newTicket;
import static dev.switchboard.chat.ChatFixture.user;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.switchboard.messaging.cloudevents.CloudEvent;
import dev.switchboard.testsupport.KafkaTopicReader;
import dev.switchboard.testsupport.LocalStackResource;
import dev.switchboard.testsupport.TicketFeed;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class ChatHistoryTest {
    private static final ExecutorService CLIENTS = Executors.newFixedThreadPool(8);

    @AfterAll
    static void stop() {
        CLIENTS.shutdownNow();
    }

    @Test
    void pagesWalk250MessagesBackwardsAndForwardsWithoutGapsOrDuplicatesWhileNewOnesArrive() throws Exception {
        String token = agent(user("agent"));
        TicketFeed.Ticket t = newTicket(user("cust"));
        List<String> original = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            original.add(ChatFixture.send(token, t.id(), "message " + i));
        }
        String url = "/api/v1/tickets/" + t.id() + "/messages";
        AtomicBoolean arriving = new AtomicBoolean(true);
        List<String> arrived = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            while (arriving.get() && arrived.size() < 200) {
                arrived.add(ChatFixture.send(token, t.id(), "late " + arrived.size()));
            }
        }, CLIENTS);

        // Backwards from the newest page as it was: exactly the 250, in order.
        JsonPath first = as(token).queryParam("offset", 0).queryParam("limit", 40).queryParam("before", original.get(249))
                .get(url).then().statusCode(200).extract().jsonPath();
        List<String> backwards = new ArrayList<>(first.getList("items.id"));
        String before = first.getString("next_before");
        while (before != null) {
            JsonPath page = as(token).queryParam("before", before).queryParam("limit", 40).get(url).then().statusCode(200)
                    .extract().jsonPath();
            backwards.addAll(0, page.getList("items.id"));
            before = page.getString("next_before");
        }
        backwards.add(original.get(249));
        assertThat(backwards).containsExactlyElementsOf(original);

        // Forwards from the oldest: the 250 in order, then whatever arrived, never twice.
        List<String> forwards = new ArrayList<>(List.of(original.get(0)));
        String after = original.get(0);
        int pages = 0;
        while (after != null && pages++ < 100) {
            JsonPath page = as(token).queryParam("after", after).queryParam("limit", 40).get(url).then().statusCode(200)
                    .extract().jsonPath();
            List<String> ids = page.getList("items.id");
            forwards.addAll(ids);
            after = page.getString("next_after");
            if (after == null && !ids.isEmpty() && forwards.size() < 300) {
                after = ids.get(ids.size() - 1);
            }
            if (forwards.size() >= 300) {
                break;
            }
        }
        arriving.set(false);
        writer.get(60, TimeUnit.SECONDS);
        assertThat(forwards).doesNotHaveDuplicates();
        assertThat(forwards.subList(0, 250)).containsExactlyElementsOf(original);
        assertThat(forwards.subList(250, forwards.size())).isSubsetOf(arrived)
                .containsExactlyElementsOf(arrived.subList(0, forwards.size() - 250));
    }

    @Test
    void offsetPagesForSeedClients() {
        String token = agent(user("agent"));
        TicketFeed.Ticket t = newTicket(user("cust"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(ChatFixture.send(token, t.id(), "m" + i));
        }
        String url = "/api/v1/tickets/" + t.id() + "/messages";
        assertThat(as(token).queryParam("limit", 3).get(url).then().extract().jsonPath().getList("items.id"))
                .containsExactlyElementsOf(ids.subList(4, 7));
        assertThat(as(token).queryParam("limit", 3).queryParam("offset", 3).get(url).then().extract().jsonPath()
                .getList("items.id")).containsExactlyElementsOf(ids.subList(1, 4));
        assertThat(as(token).queryParam("limit", 3).queryParam("offset", 6).get(url).then().extract().jsonPath()
                .getList("items.id")).containsExactlyElementsOf(ids.subList(0, 1));
    }

    @Test
    void theSameClientMsgIdSentFiveTimesAtOnceMakesOneMessageAndOneEvent() throws Exception {
        String me = user("cust");
        String token = ChatFixture.customer(me);
        TicketFeed.Ticket t = newTicket(me);
        String url = "/api/v1/tickets/" + t.id() + "/messages";
        try (KafkaTopicReader reader = KafkaTopicReader.fromNow("switchboard.chat-events")) {
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<io.restassured.response.Response>> sends = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                sends.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return as(token).body(Map.of("message", "exactly once", "client_msg_id", "retry-me")).post(url);
                }, CLIENTS));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (CompletableFuture<io.restassured.response.Response> send : sends) {
                io.restassured.response.Response r = send.get(60, TimeUnit.SECONDS);
                statuses.add(r.statusCode());
                ids.add(r.path("id"));
            }
            assertThat(statuses).containsOnly(200, 201).filteredOn(s -> s == 201).hasSize(1);
            assertThat(ids).containsOnly(ids.get(0));
            assertThat(as(token).get(url).then().extract().jsonPath().getList("items.id")).containsExactly(ids.get(0));

            String marker = ChatFixture.send(token, t.id(), "marker");
            List<ConsumerRecord<String, byte[]>> records = reader.awaitRecords(ChatFixture.TIMEOUT,
                    all -> all.stream().anyMatch(r -> new String(r.value()).contains(marker)));
            long created = records.stream().filter(r -> t.id().toString().equals(r.key()))
                    .filter(r -> "switchboard.chat.message_created.v1".equals(CloudEvent.header(r.headers(), CloudEvent.HEADER_TYPE)))
                    .filter(r -> new String(r.value()).contains(ids.get(0))).count();
            assertThat(created).isEqualTo(1);
        }
    }
}
