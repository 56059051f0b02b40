package dev.switchboard.gateway.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.ServiceProcess;
import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.TestStack;
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
}
