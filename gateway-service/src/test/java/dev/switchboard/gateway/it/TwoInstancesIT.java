package dev.switchboard.gateway.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.ServiceProcess;
import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.WsClient;

/**
 * Client A on instance 1, client B on instance 2, in the same ticket: messages, typing, online users
 * and presence cross instances; presence follows A's last connection, and an instance killed with
 * SIGKILL has its users go offline by lease.
 */
class TwoInstancesIT {

    private static List<String> userIds(JsonNode users) {
        return java.util.stream.StreamSupport.stream(users.spliterator(), false).map(u -> u.path("user_id").asText())
                .toList();
    }

    private static JsonNode presenceOf(ServiceProcess gateway, String userId) {
        String body = given().baseUri(gateway.httpUrl()).auth().oauth2(Users.admin())
                .get("/api/v1/realtime/users/" + userId).then().statusCode(200).extract().asString();
        try {
            return WsClient.JSON.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void messageTypingOnlineUsersAndPresenceAcrossInstances() {
        String aId = Users.id("cust");
        String bId = Users.id("agent");
        String aToken = TestJwt.customer(aId);
        String ticketId = Api.createTicket(aToken, "Two instances", List.of());
        try (WsClient a = Users.connect(Cluster.gateway1(), aToken, "A");
                WsClient b = Users.connect(Cluster.gateway2(), TestJwt.agent(bId), "B")) {
            JsonNode aJoined = Users.join(a, ticketId);
            assertThat(aJoined.path("room").asText()).isEqualTo("ticket:" + ticketId);
            assertThat(aJoined.path("seq").isIntegralNumber()).isTrue();
            JsonNode bJoined = Users.join(b, ticketId);
            assertThat(userIds(bJoined.path("online_users"))).contains(aId, bId);
            // A (instance 1) hears that B (instance 2) joined.
            a.awaitEvent("user_joined", p -> p.path("user_id").asText().equals(bId));

            // A message sent by A reaches B once.
            JsonNode first = Users.send(a, ticketId, "hello from instance 1").path("message");
            String firstId = first.path("id").asText();
            assertThat(first.path("message").asText()).isEqualTo("hello from instance 1");
            JsonNode delivered = b.awaitEvent("new_message", p -> p.path("message").path("id").asText().equals(firstId));
            assertThat(delivered.path("payload").path("room").asText()).isEqualTo("ticket:" + ticketId);
            assertThat(delivered.path("payload").path("seq").asLong()).isPositive();
            assertThat(delivered.path("payload").path("event_id").asText()).isNotBlank();
            String secondId = Users.send(a, ticketId, "second").path("message").path("id").asText();
            b.awaitEvent("new_message", p -> p.path("message").path("id").asText().equals(secondId));
            assertThat(b.events("new_message")).filteredOn(p -> p.path("message").path("id").asText().equals(firstId))
                    .hasSize(1);
            a.awaitEvent("new_message", p -> p.path("message").path("id").asText().equals(secondId));

            // Typing reaches B and is never echoed to A.
            a.ack("typing_indicator", Map.of("ticket_id", ticketId, "is_typing", true));
            JsonNode typing = b.awaitEvent("typing_indicator", p -> p.path("user_id").asText().equals(aId));
            assertThat(typing.path("payload").path("is_typing").asBoolean()).isTrue();
            assertThat(typing.path("payload").path("user_name").asText()).isEqualTo("Customer " + aId);
            b.ack("typing_start", Map.of("ticket_id", ticketId));
            a.awaitEvent("typing_indicator", p -> p.path("user_id").asText().equals(bId));
            assertThat(a.events("typing_indicator")).noneMatch(p -> p.path("user_id").asText().equals(aId));
            assertThat(b.events("typing_indicator")).noneMatch(p -> p.path("user_id").asText().equals(bId));
            // A never sent "stopped typing": the gateway turns it off after 6 s without renewal.
            JsonNode expired = b.awaitFrame(f -> f.path("type").asText().equals("typing_indicator")
                    && f.path("payload").path("user_id").asText().equals(aId)
                    && !f.path("payload").path("is_typing").asBoolean(), Duration.ofSeconds(12));
            assertThat(expired).isNotNull();

            // Presence is merged over A's sockets: busy on one wins over online on the other.
            a.ack("set_presence", Map.of("status", "busy"));
            JsonNode busy = b.awaitEvent("presence_update", p -> p.path("user_id").asText().equals(aId));
            assertThat(busy.path("payload").path("status").asText()).isEqualTo("busy");
            assertThat(presenceOf(Cluster.gateway2(), aId).path("status").asText()).isEqualTo("busy");
            a.ack("set_presence", Map.of("status", "online"));
            b.awaitEvent("presence_update", p -> p.path("user_id").asText().equals(aId)
                    && p.path("status").asText().equals("online"));

            // Both instances list both users.
            JsonNode online = b.ack("get_online_users", Map.of("ticket_id", ticketId));
            assertThat(userIds(online.path("users"))).containsExactlyInAnyOrder(aId, bId);
            assertThat(userIds(a.ack("get_online_users", Map.of("ticket_id", ticketId)).path("users")))
                    .containsExactlyInAnyOrder(aId, bId);
            assertThat(presenceOf(Cluster.gateway1(), aId).path("online").asBoolean()).isTrue();
            assertThat(presenceOf(Cluster.gateway2(), aId).path("connections").get(0).path("instance").asText())
                    .isEqualTo("gateway-1");

            // A's second tab closes: A stays online. A's last connection closes: offline on both instances.
            WsClient aSecondTab = Users.connect(Cluster.gateway2(), aToken, "A2");
            assertThat(presenceOf(Cluster.gateway1(), aId).path("connections")).hasSize(2);
            aSecondTab.close();
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> presenceOf(Cluster.gateway1(), aId).path("connections").size() == 1);
            a.close();
            b.awaitEvent("user_left", p -> p.path("user_id").asText().equals(aId));
            b.awaitEvent("user_offline", p -> p.path("user_id").asText().equals(aId));
            for (ServiceProcess gateway : List.of(Cluster.gateway1(), Cluster.gateway2())) {
                JsonNode presence = presenceOf(gateway, aId);
                assertThat(presence.path("online").asBoolean()).isFalse();
                assertThat(presence.path("status").asText()).isEqualTo("offline");
            }
            assertThat(userIds(b.ack("get_online_users", Map.of("ticket_id", ticketId)).path("users")))
                    .containsExactly(bId);
            // The second tab's close within the delay was not announced as A leaving.
            assertThat(b.events("user_left")).filteredOn(p -> p.path("user_id").asText().equals(aId)).hasSize(1);
        }
    }

    @Test
    void connectionsClosedWhileBeingSetUpLeaveNoPresenceBehind() {
        String userId = Users.id("flaky");
        String token = TestJwt.agent(userId);
        // A flaky network: each socket is gone right after the upgrade, while its registration may be in flight.
        for (int i = 0; i < 30; i++) {
            WsClient.to(Cluster.gateway1().wsUrl()).bearer(token).name("flaky-" + i).connect().abort();
        }
        // Every one of them is cleared at once (the offline delay is 3 s), not when its lease expires (15 s).
        Awaitility.await("no connection of the user is left registered").atMost(Duration.ofSeconds(8))
                .pollInterval(Duration.ofMillis(200)).until(() -> presenceOf(Cluster.gateway2(), userId)
                        .path("connections").size() == 0);
        Awaitility.await("the user is offline").atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(200))
                .until(() -> !presenceOf(Cluster.gateway2(), userId).path("online").asBoolean());
    }

    @Test
    void aReloadIsNotAnOffline() {
        String aId = Users.id("cust");
        String aToken = TestJwt.customer(aId);
        String ticketId = Api.createTicket(aToken, "Reload", List.of());
        try (WsClient b = Users.connect(Cluster.gateway2(), TestJwt.agent(Users.id("agent")), "B")) {
            Users.join(b, ticketId);
            WsClient a = Users.connect(Cluster.gateway1(), aToken, "A");
            Users.join(a, ticketId);
            b.awaitEvent("user_joined", p -> p.path("user_id").asText().equals(aId));
            a.close();
            // The page reloads and reconnects, to the other instance this time, within the offline delay.
            try (WsClient again = Users.connect(Cluster.gateway2(), aToken, "A-again")) {
                Users.join(again, ticketId);
                String marker = Users.send(again, ticketId, "after reload").path("message").path("id").asText();
                b.awaitEvent("new_message", p -> p.path("message").path("id").asText().equals(marker));
                // For longer than the offline delay (3 s): no user_left / user_offline for A.
                Awaitility.await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(
                        () -> b.events("user_left").stream().noneMatch(p -> p.path("user_id").asText().equals(aId))
                                && b.events("user_offline").stream().noneMatch(p -> p.path("user_id").asText().equals(aId)));
                assertThat(b.events("user_joined")).filteredOn(p -> p.path("user_id").asText().equals(aId)).hasSize(1);
            }
        }
    }

    @Test
    void usersOfAKilledInstanceGoOfflineWithin30Seconds() {
        ServiceProcess doomed = Cluster.startGateway(Map.of());
        String aId = Users.id("cust");
        String aToken = TestJwt.customer(aId);
        String ticketId = Api.createTicket(aToken, "Killed instance", List.of());
        try (WsClient b = Users.connect(Cluster.gateway2(), TestJwt.agent(Users.id("agent")), "B")) {
            Users.join(b, ticketId);
            WsClient a = Users.connect(doomed, aToken, "A");
            Users.join(a, ticketId);
            b.awaitEvent("user_joined", p -> p.path("user_id").asText().equals(aId));
            assertThat(presenceOf(Cluster.gateway1(), aId).path("online").asBoolean()).isTrue();

            Instant killed = Instant.now();
            doomed.kill();
            b.awaitFrame(f -> f.path("type").asText().equals("user_left")
                    && f.path("payload").path("user_id").asText().equals(aId), Duration.ofSeconds(40));
            JsonNode offline = b.awaitFrame(f -> f.path("type").asText().equals("user_offline")
                    && f.path("payload").path("user_id").asText().equals(aId), Duration.ofSeconds(40));
            Duration took = Duration.between(killed, Instant.now());
            System.out.printf("[figure] user offline %d ms after their gateway instance was SIGKILLed%n", took.toMillis());
            assertThat(offline).isNotNull();
            assertThat(took).isLessThan(Duration.ofSeconds(30));
            assertThat(presenceOf(Cluster.gateway1(), aId).path("online").asBoolean()).isFalse();
            assertThat(userIds(b.ack("get_online_users", Map.of("ticket_id", ticketId)).path("users")))
                    .doesNotContain(aId);
            a.abort();
        }
    }
}
