package dev.switchboard.gateway.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.ServiceProcess;
import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.WsClient;

/**
 * SPEC §7, graceful shutdown: on SIGTERM an instance tells each client to reconnect (with a jittered
 * delay), closes it with 1012, spread over the drain window, and exits within a bound; the clients
 * that come back on another instance are never announced offline or as having left their room. While it
 * drains it reports not ready and refuses new connections with 503.
 */
class DrainIT {
    private static final int CLIENTS = 6;

    @Test
    void aDrainingInstanceSendsItsClientsElsewhereWithoutPresenceFlapping() throws Exception {
        String ticketId = Api.createTicket(TestJwt.customer(Users.id("cust")), "Drain", List.of());
        ServiceProcess draining = Cluster.startGateway(Map.of("switchboard.gateway.drain.window", "2s"));
        List<String> userIds = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        List<WsClient> clients = new ArrayList<>();
        List<WsClient> back = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (WsClient observer = Users.connect(Cluster.gateway1(), Users.admin(), "observer")) {
            Users.join(observer, ticketId);
            for (int i = 0; i < CLIENTS; i++) {
                String userId = Users.id("drained");
                userIds.add(userId);
                tokens.add(TestJwt.agent(userId));
                WsClient client = Users.connect(draining, tokens.get(i), "drained-" + i);
                Users.join(client, ticketId);
                clients.add(client);
            }
            for (String userId : userIds) {
                observer.awaitEvent("user_joined", p -> p.path("user_id").asText().equals(userId));
            }
            // Each client goes back on another instance as soon as it is told to.
            List<CompletableFuture<Void>> returns = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                WsClient client = clients.get(i);
                String token = tokens.get(i);
                returns.add(CompletableFuture.runAsync(() -> {
                    client.awaitClose();
                    WsClient again = Users.connect(Cluster.gateway2(), token, client.name() + "-back");
                    Users.join(again, ticketId);
                    back.add(again);
                }));
            }
            long start = System.nanoTime();
            // SIGTERM, and wait for the process to exit.
            CompletableFuture<Double> exited = CompletableFuture.supplyAsync(() -> {
                draining.close();
                return (System.nanoTime() - start) / 1e9;
            });
            // While it drains, it is not ready and refuses new connections with 503, so a load balancer sends
            // them elsewhere.
            Awaitility.await("the draining instance reports not ready").atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(100)).until(() -> given().baseUri(draining.httpUrl())
                            .get("/q/health/ready").then().extract().statusCode() == 503);
            assertThatThrownBy(() -> Users.connect(draining, TestJwt.agent(Users.id("late")), "late"))
                    .isInstanceOfSatisfying(WsClient.Refused.class, refused -> assertThat(refused.status()).isEqualTo(503));
            double exitSeconds = exited.get();
            CompletableFuture.allOf(returns.toArray(CompletableFuture[]::new)).get();
            System.out.printf("[figure] drain of %d connections: exited %.1f s after SIGTERM%n", CLIENTS, exitSeconds);
            // Shutdown delay 6 s (the drain), then Kafka consumers and the rest close: bounded well inside
            // Kubernetes' default 30 s grace period.
            assertThat(exitSeconds).as("exit after SIGTERM, drain window 2 s, shutdown delay 6 s").isLessThan(25);

            for (WsClient client : clients) {
                assertThat(client.closedCode()).isEqualTo(1012);
                JsonNode hint = client.awaitEvent("reconnect");
                assertThat(hint.path("payload").path("delay_ms").asLong()).isBetween(0L, 1000L);
                assertThat(hint.path("payload").path("reason").asText()).isEqualTo("server_shutdown");
            }
            // Nobody went offline or left the room: the offline delay (3 s) and a sweep pass without a word.
            Awaitility.await("no presence flapping").during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7))
                    .until(() -> observer.frames().stream().noneMatch(f -> {
                        String type = f.path("type").asText();
                        return (type.equals("user_offline") || type.equals("user_left"))
                                && userIds.contains(f.path("payload").path("user_id").asText());
                    }));
        } finally {
            back.forEach(WsClient::close);
            draining.close();
        }
    }
}
