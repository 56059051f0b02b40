package dev.switchboard.gateway.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.gateway.broker.RedisBroker;
import dev.switchboard.testsupport.ServiceProcess;
import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.TestRedis;
import dev.switchboard.testsupport.TestStack;
import dev.switchboard.testsupport.TicketFeed;
import dev.switchboard.testsupport.WsClient;

/**
 * Redis or Kafka killed (SIGKILL) and started again: the gateways stay up and report not ready,
 * keep serving their open sockets, and catch up without losing a message once it is back.
 */
class RestartsIT {
    private static final Duration BACK = Duration.ofSeconds(90);

    private static int ready(ServiceProcess service) {
        return given().baseUri(service.httpUrl()).get("/q/health/ready").then().extract().statusCode();
    }

    private static void awaitAllReady() {
        for (ServiceProcess gateway : List.of(Cluster.gateway1(), Cluster.gateway2())) {
            Awaitility.await(gateway.name() + " ready again").atMost(BACK).pollInterval(Duration.ofMillis(500))
                    .until(() -> ready(gateway) == 200);
        }
    }

    @Test
    void redisRestartLosesNoMessageAndPresenceComesBack() {
        String userId = Users.id("cust");
        String token = TestJwt.customer(userId);
        String ticketId = Api.createTicket(token, "Redis restart", List.of());
        String agentToken = TestJwt.agent(Users.id("agent"));
        Api.postFirstMessage(agentToken, ticketId, "before");
        try (WsClient client = Users.connect(Cluster.gateway1(), token, "customer")) {
            Users.join(client, ticketId);
            TestStack.control("redis", "kill");
            boolean down = true;
            try {
                Awaitility.await("gateway-1 reports not ready").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(300)).until(() -> ready(Cluster.gateway1()) == 503);
                // Still served: the open socket answers pings.
                assertThat(client.request("ping", null).path("type").asText()).isEqualTo("ack");
                List<String> ids = new ArrayList<>();
                for (int i = 1; i <= 5; i++) {
                    ids.add(Api.postMessage(agentToken, ticketId, "while Redis is down " + i));
                }
                TestStack.control("redis", "start");
                down = false;
                awaitAllReady();

                // Redis came back empty: the room's seq series starts again, the client is told to resync...
                client.awaitEvent("resync_required", p -> p.path("room").asText().equals("ticket:" + ticketId));
                // ...and, resyncing, has every message: live, or in the history it gets on joining again.
                JsonNode rejoin = client.ack("join_ticket", Map.of("ticket_id", ticketId));
                assertThat(rejoin.path("recovered").asBoolean()).isFalse();
                Awaitility.await("every message reached the client").atMost(BACK).until(() -> {
                    Set<String> got = new HashSet<>();
                    client.events("new_message").forEach(p -> got.add(p.path("message").path("id").asText()));
                    client.events("messages_history").forEach(p -> p.path("messages")
                            .forEach(m -> got.add(m.path("id").asText())));
                    return got.containsAll(ids);
                });
                // Presence was registered again by the gateway.
                Awaitility.await("the user is online again").atMost(BACK).until(() -> given()
                        .baseUri(Cluster.gateway2().httpUrl()).auth().oauth2(Users.admin())
                        .get("/api/v1/realtime/users/" + userId).then().extract().<Boolean>path("online"));
            } finally {
                if (down) {
                    TestStack.control("redis", "start");
                }
            }
        }
    }

    @Test
    void kafkaRestartLosesNoMessage() {
        String token = TestJwt.customer(Users.id("cust"));
        String ticketId = Api.createTicket(token, "Kafka restart", List.of());
        String agentToken = TestJwt.agent(Users.id("agent"));
        Api.postFirstMessage(agentToken, ticketId, "before");
        try (ResumingClient client = new ResumingClient(token, ticketId, "customer");
                ResumingClient other = new ResumingClient(agentToken, ticketId, "agent")) {
            client.connect(Cluster.gateway1());
            other.connect(Cluster.gateway2());
            long start = client.lastSeq();
            TestStack.control("kafka", "kill");
            List<String> ids = new ArrayList<>();
            try {
                Awaitility.await("gateway-1 reports not ready").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500)).until(() -> ready(Cluster.gateway1()) == 503);
                for (int i = 1; i <= 5; i++) {
                    ids.add(Api.postMessage(agentToken, ticketId, "while Kafka is down " + i));
                }
            } finally {
                TestStack.control("kafka", "start");
            }
            awaitAllReady();
            Awaitility.await("the messages arrive").atMost(BACK).pollInterval(Duration.ofMillis(200)).until(() -> {
                client.pump();
                return client.seqs().stream().filter(seq -> "new_message".equals(client.event(seq).path("type").asText()))
                        .count() >= 5 && client.lastSeq() >= other.lastSeq();
            });
            List<String> got = new ArrayList<>();
            for (long seq : client.seqs()) {
                JsonNode e = client.event(seq);
                if (seq > start && e.path("type").asText().equals("new_message")) {
                    got.add(e.path("payload").path("message").path("id").asText());
                }
            }
            assertThat(got).containsExactlyElementsOf(ids);
            assertThat(client.check(other.lastSeq())).isEmpty();
        }
    }

    /**
     * Redis killed while a gateway is publishing a poll: the poll's batch is on its way to Redis (Redis is paused,
     * so it goes unanswered) when Redis is killed and started again, empty. The batch fails, its records are
     * published again one by one once Redis is back, and every room log ends up with all of its events, in the
     * order they were produced: no partition is left waiting on an answer that never comes.
     */
    @Test
    void redisKilledWhileAPollIsBeingPublishedLosesNoEvent() throws Exception {
        List<String> rooms = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            rooms.add(UUID.randomUUID().toString());
        }
        int edits = 5;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.PROFILE.kafkaBootstrap(),
                ProducerConfig.LINGER_MS_CONFIG, 50), new StringSerializer(), new ByteArraySerializer())) {
            long consumedBefore = Cluster.eventsConsumed();
            TestStack.control("redis", "pause");
            boolean down = true;
            try {
                List<Future<?>> sent = new ArrayList<>();
                for (int k = 0; k < edits; k++) {
                    for (String ticketId : rooms) {
                        String data = "{\"ticket_id\":\"" + ticketId + "\",\"message\":{\"id\":\"" + UUID.randomUUID()
                                + "\",\"ticket_id\":\"" + ticketId + "\",\"message\":\"edit " + k + "\"}}";
                        // One partition, one produce batch: one poll of six tickets' lanes, published in rounds.
                        sent.add(producer.send(new ProducerRecord<>("switchboard.chat-events", 0, ticketId,
                                data.getBytes(StandardCharsets.UTF_8), TicketFeed.cloudEventHeaders(
                                        "switchboard.chat.message_updated.v1", "/gateway-test", ticketId))));
                    }
                }
                producer.flush();
                for (Future<?> f : sent) {
                    f.get(10, TimeUnit.SECONDS);
                }
                // The owner of partition 0 has taken a poll of them and sent it towards the paused Redis (the
                // next poll waits until that one is published).
                Awaitility.await("a gateway took a poll of the records").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> Cluster.eventsConsumed() > consumedBefore);
                TestStack.control("redis", "kill");
                TestStack.control("redis", "start");
                down = false;
            } finally {
                if (down) {
                    TestStack.control("redis", "kill");
                    TestStack.control("redis", "start");
                }
            }
            awaitAllReady();
            for (String ticketId : rooms) {
                String log = RedisBroker.logKey("ticket:" + ticketId);
                Awaitility.await("every event of ticket " + ticketId + " in its room log").atMost(BACK)
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> edits(TestRedis.reply("XRANGE", log, "-", "+")).size() >= edits);
                assertThat(edits(TestRedis.reply("XRANGE", log, "-", "+"))).as("room log of %s", ticketId)
                        .containsExactly("edit 0", "edit 1", "edit 2", "edit 3", "edit 4");
            }
        }
    }

    private static final Pattern EDIT = Pattern.compile("edit \\d+");

    /** The edits' texts in a room log's XRANGE reply, in the log's order. */
    private static List<String> edits(String xrange) {
        List<String> found = new ArrayList<>();
        Matcher m = EDIT.matcher(xrange);
        while (m.find()) {
            found.add(m.group());
        }
        return found;
    }
}
