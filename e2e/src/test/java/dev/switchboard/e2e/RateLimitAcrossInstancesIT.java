package dev.switchboard.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.ServiceProcess;
import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.WsClient;

/**
 * A user's limits hold over every instance (issue 11), with the suite's default limits (as
 * production runs them, README) on two gateway instances: one user's connections on both, each
 * under its own connection rate, together send well over the user's rate; what is accepted stays
 * within the user's burst plus rate × time (a per-instance limit would have let all of it through),
 * and both instances refuse with RATE_LIMITED "from this user". The connections-per-user limit counts
 * both instances too. (The same with tight limits, and 1008 on sustained abuse, is in the gateway's
 * LimitsIT.)
 */
class RateLimitAcrossInstancesIT {
    private static int userRate;
    private static int userBurst;
    private static int maxConnections;

    @BeforeAll
    static void limits() {
        Suite.start();
        Suite.secondGateway();
        JsonNode stats = Attack.json(given().baseUri(Suite.gateway().httpUrl()).auth().oauth2(TestJwt.admin(Attack.id("ops")))
                .get("/api/v1/realtime/stats").then().statusCode(200).extract().asString()).path("limits");
        userRate = stats.path("user_messages_per_second").asInt();
        userBurst = stats.path("user_messages_burst").asInt();
        maxConnections = stats.path("max_connections_per_user").asInt();
        assertThat(userRate).as("limits in the stats: " + stats).isPositive();
        assertThat(userBurst).isPositive();
        assertThat(maxConnections).isPositive();
    }

    @Test
    void aUsersRequestRateIsSharedByAllInstances() throws Exception {
        String token = TestJwt.agent(Attack.id("greedy"));
        List<ServiceProcess> instances = List.of(Suite.gateway(), Suite.secondGateway());
        int perInstance = 3;
        int perConnection = 80;
        long gapNanos = TimeUnit.MILLISECONDS.toNanos(55); // ~18/s: under the connection's own limit of 20/s
        List<WsClient> clients = new ArrayList<>();
        AtomicInteger accepted = new AtomicInteger();
        int[] refusedPerInstance = new int[instances.size()];
        ExecutorService pool = Executors.newFixedThreadPool(instances.size() * perInstance);
        long started;
        long elapsed;
        try {
            for (ServiceProcess instance : instances) {
                for (int i = 0; i < perInstance; i++) {
                    WsClient client = WsClient.to(instance.wsUrl()).bearer(token).name(instance.name() + "-" + i).connect();
                    client.awaitEvent("connection");
                    clients.add(client);
                }
            }
            started = System.nanoTime();
            List<Future<int[]>> results = new ArrayList<>();
            for (WsClient client : clients) {
                results.add(pool.submit(() -> {
                    int ok = 0;
                    int userRefused = 0;
                    long last = 0;
                    for (int i = 0; i < perConnection; i++) {
                        long wait = last + gapNanos - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait); // pacing, not synchronisation
                        }
                        last = System.nanoTime();
                        JsonNode answer = client.request("ping", null);
                        if (answer.path("type").asText().equals("ack")) {
                            ok++;
                        } else {
                            assertThat(answer.path("payload").path("code").asText()).isEqualTo("RATE_LIMITED");
                            if (answer.path("payload").path("message").asText().contains("from this user")) {
                                userRefused++;
                            }
                        }
                    }
                    return new int[] { ok, userRefused };
                }));
            }
            for (int c = 0; c < results.size(); c++) {
                int[] r = results.get(c).get(5, TimeUnit.MINUTES);
                accepted.addAndGet(r[0]);
                refusedPerInstance[c / perInstance] += r[1];
            }
            elapsed = System.nanoTime() - started;
            for (WsClient client : clients) {
                assertThat(client.isClosed()).as(client.name() + " stays open").isFalse();
            }
        } finally {
            pool.shutdownNow();
            clients.forEach(WsClient::close);
        }
        int sent = clients.size() * perConnection;
        double seconds = elapsed / 1e9;
        long allowed = Math.round(userBurst + userRate * seconds);
        System.out.printf("[RateLimitAcrossInstancesIT] one user, %d connections on 2 instances: %d requests in %.1f s "
                + "(%.0f/s), %d accepted (user limit: burst %d + %d/s = %d), refused for the user: %d on instance 1, %d on instance 2%n",
                clients.size(), sent, seconds, sent / seconds, accepted.get(), userBurst, userRate, allowed,
                refusedPerInstance[0], refusedPerInstance[1]);
        assertThat(sent).as("the test must send more than the user may").isGreaterThan((int) (allowed * 1.2));
        // A little slack: the bucket refills while the last answers are on their way.
        assertThat(accepted.get()).isLessThanOrEqualTo((int) (allowed * 1.1));
        assertThat(refusedPerInstance[0]).as("refused on instance 1").isPositive();
        assertThat(refusedPerInstance[1]).as("refused on instance 2").isPositive();
    }

    @Test
    void aUsersConnectionsAreCountedOverAllInstances() {
        String token = TestJwt.agent(Attack.id("tabs"));
        List<WsClient> tabs = new ArrayList<>();
        try {
            for (int i = 0; i < maxConnections; i++) {
                ServiceProcess instance = i % 2 == 0 ? Suite.gateway() : Suite.secondGateway();
                WsClient tab = WsClient.to(instance.wsUrl()).bearer(token).name("tab-" + i).connect();
                tab.awaitEvent("connection");
                tabs.add(tab);
            }
            for (ServiceProcess instance : List.of(Suite.gateway(), Suite.secondGateway())) {
                try (WsClient extra = WsClient.to(instance.wsUrl()).bearer(token).name("extra").connect()) {
                    assertThat(extra.awaitClose()).isEqualTo(1008);
                    assertThat(extra.events("error")).anyMatch(e -> e.path("code").asText().equals("TOO_MANY_CONNECTIONS"));
                }
            }
        } finally {
            tabs.forEach(WsClient::close);
        }
    }
}
