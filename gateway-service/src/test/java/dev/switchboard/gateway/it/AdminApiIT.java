package dev.switchboard.gateway.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.WsClient;
import io.restassured.http.ContentType;

/** The realtime admin API (SPEC §3): admins only; stats over all instances, user lookup, emit. */
class AdminApiIT {

    @Test
    void onlyAdmins() {
        given().baseUri(Cluster.gateway1().httpUrl()).get("/api/v1/realtime/stats").then().statusCode(401);
        given().baseUri(Cluster.gateway1().httpUrl()).auth().oauth2(TestJwt.agent(Users.id("agent")))
                .get("/api/v1/realtime/stats").then().statusCode(403);
        given().baseUri(Cluster.gateway1().httpUrl()).auth().oauth2(TestJwt.customer(Users.id("c")))
                .contentType(ContentType.JSON).body(Map.of("type", "x"))
                .post("/api/v1/realtime/emit/role/agent").then().statusCode(403);
        given().baseUri(Cluster.gateway1().httpUrl()).auth().oauth2(TestJwt.agent(Users.id("agent")))
                .contentType(ContentType.JSON).body(Map.of("events", List.of(Map.of("kind", "role", "target", "agent",
                        "type", "x"))))
                .post("/api/v1/realtime/emit").then().statusCode(403);
    }

    @Test
    void statsAndUserLookupCoverEveryInstance() {
        String userId = Users.id("cust");
        try (WsClient one = Users.connect(Cluster.gateway1(), TestJwt.customer(userId), "one");
                WsClient two = Users.connect(Cluster.gateway2(), TestJwt.customer(userId), "two")) {
            org.awaitility.Awaitility.await().atMost(WsClient.TIMEOUT).untilAsserted(() -> given()
                    .baseUri(Cluster.gateway2().httpUrl()).auth().oauth2(Users.admin()).get("/api/v1/realtime/stats")
                    .then().statusCode(200)
                    .body("instances.instance", hasItem("gateway-1"))
                    .body("instances.instance", hasItem("gateway-2"))
                    .body("connections", greaterThanOrEqualTo(2))
                    .body("users_online", greaterThanOrEqualTo(1))
                    .body("this_instance.instance", equalTo("gateway-2")));
            given().baseUri(Cluster.gateway1().httpUrl()).auth().oauth2(Users.admin())
                    .get("/api/v1/realtime/users/" + userId).then().statusCode(200)
                    .body("online", equalTo(true))
                    .body("connections.size()", equalTo(2))
                    .body("connections.instance", hasItem("gateway-2"))
                    .body("rooms", hasItem("user:" + userId));
        }
    }

    /**
     * The REST API remembers the tokens it verified (VerifiedTokenCache: an admin or service token comes
     * with every emit); a remembered token still expires, and another signature on the same claims never passes.
     */
    @Test
    void aRememberedAdminTokenIsRefusedOnceItExpiresAndATamperedOneNeverPasses() {
        String shortLived = TestJwt.token(Users.id("ops"), "Ops", Duration.ofSeconds(3), "admin");
        String stats = "/api/v1/realtime/stats";
        given().baseUri(Cluster.gateway1().httpUrl()).auth().oauth2(shortLived).get(stats).then().statusCode(200);
        given().baseUri(Cluster.gateway1().httpUrl()).auth().oauth2(shortLived).get(stats).then().statusCode(200);
        String tampered = shortLived.substring(0, shortLived.lastIndexOf('.') + 1)
                + new StringBuilder(shortLived.substring(shortLived.lastIndexOf('.') + 1)).reverse();
        given().baseUri(Cluster.gateway1().httpUrl()).auth().oauth2(tampered).get(stats).then().statusCode(401);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> given().baseUri(Cluster.gateway1().httpUrl()).auth().oauth2(shortLived).get(stats)
                        .then().statusCode(401));
    }

    @Test
    void emitToUserRoomAndRole() {
        String userId = Users.id("agent");
        try (WsClient agent = Users.connect(Cluster.gateway2(), TestJwt.agent(userId), "agent")) {
            for (String[] target : new String[][] { { "user", userId, "user:" + userId }, { "role", "agent", "role:agent" },
                    { "room", "user:" + userId, "user:" + userId } }) {
                String type = "ops_" + target[0];
                JsonNode body = WsClient.JSON.valueToTree(given().baseUri(Cluster.gateway1().httpUrl())
                        .auth().oauth2(Users.admin()).contentType(ContentType.JSON)
                        .body(Map.of("type", type, "payload", Map.of("text", "maintenance at noon")))
                        .post("/api/v1/realtime/emit/" + target[0] + "/" + target[1]).then().statusCode(202)
                        .extract().as(Map.class));
                JsonNode event = agent.awaitEvent(type, p -> p.path("text").asText().equals("maintenance at noon"));
                assertThat(event.path("payload").path("room").asText()).isEqualTo(target[2]);
                assertThat(event.path("payload").path("seq").asLong()).isEqualTo(body.path("seq").asLong());
                assertThat(event.path("payload").path("event_id").asText()).isEqualTo(body.path("event_id").asText());
            }
            given().baseUri(Cluster.gateway1().httpUrl()).auth().oauth2(Users.admin()).contentType(ContentType.JSON)
                    .body(Map.of("type", "Bad Type!")).post("/api/v1/realtime/emit/user/" + userId).then()
                    .statusCode(400).body("detail", org.hamcrest.Matchers.containsString("type"));
            given().baseUri(Cluster.gateway1().httpUrl()).auth().oauth2(Users.admin()).contentType(ContentType.JSON)
                    .body(Map.of("type", "ok")).post("/api/v1/realtime/emit/planet/mars").then().statusCode(400);
        }
    }

    /**
     * The batch emit: every event reaches its room with the seq the answer gives, each room's in the list's order,
     * also when Redis has lost the publish script (SCRIPT FLUSH: the pipelined write is refused and sent again one
     * by one). A bad event refuses the whole batch, which then sends nothing; each bad shape gets its 400.
     */
    @Test
    void aBatchEmitDeliversEveryEventInOrderAndOneBadEventRefusesItWhole() {
        String userId = Users.id("agent");
        try (WsClient agent = Users.connect(Cluster.gateway2(), TestJwt.agent(userId), "agent")) {
            List<Map<String, Object>> events = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                events.add(Map.of("kind", "user", "target", userId, "type", "batch_item", "payload", Map.of("n", i)));
            }
            events.add(Map.of("kind", "role", "target", "agent", "type", "batch_role", "payload", Map.of("to", userId)));
            dev.switchboard.testsupport.TestRedis.call("SCRIPT", "FLUSH");
            JsonNode answer = WsClient.JSON.valueToTree(given().baseUri(Cluster.gateway1().httpUrl()).auth()
                    .oauth2(Users.admin()).contentType(ContentType.JSON).body(Map.of("events", events))
                    .post("/api/v1/realtime/emit").then().statusCode(202).extract().as(Map.class));
            JsonNode accepted = answer.path("events");
            assertThat(accepted.size()).isEqualTo(6);
            for (int i = 1; i < 5; i++) {
                assertThat(accepted.get(i).path("room").asText()).isEqualTo("user:" + userId);
                assertThat(accepted.get(i).path("seq").asLong()).isEqualTo(accepted.get(i - 1).path("seq").asLong() + 1);
            }
            assertThat(accepted.get(5).path("room").asText()).isEqualTo("role:agent");
            agent.awaitEvent("batch_role", p -> p.path("to").asText().equals(userId));
            agent.awaitEvent("batch_item", p -> p.path("n").asInt() == 4);
            List<JsonNode> got = agent.events("batch_item");
            assertThat(got.stream().map(p -> p.path("n").asInt()).toList()).containsExactly(0, 1, 2, 3, 4);
            for (int i = 0; i < 5; i++) {
                assertThat(got.get(i).path("seq").asLong()).isEqualTo(accepted.get(i).path("seq").asLong());
                assertThat(got.get(i).path("event_id").asText()).isEqualTo(accepted.get(i).path("event_id").asText());
            }

            List<Map<String, Object>> badType = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                badType.add(Map.of("kind", "user", "target", userId, "type", i == 2 ? "Bad Type!" : "refused_batch",
                        "payload", Map.of("n", i)));
            }
            List<Object> notAnObject = new ArrayList<>(List.of(Map.of("kind", "user", "target", userId,
                    "type", "refused_batch")));
            notAnObject.add("just text");
            List<Map<String, Object>> tooMany = new ArrayList<>();
            for (int i = 0; i < 101; i++) {
                tooMany.add(Map.of("kind", "user", "target", userId, "type", "refused_batch"));
            }
            Object[][] refused = {
                    { Map.of("events", badType), "body.events[2].type is required" },
                    { Map.of("events", List.of(Map.of("kind", "user", "target", userId, "type", "refused_batch",
                            "payload", List.of(1)))), "body.events[0].payload must be a JSON object" },
                    { Map.of("events", List.of(Map.of("kind", "planet", "target", "mars", "type", "refused_batch"))),
                            "body.events[0].kind must be user, room or role" },
                    { Map.of("events", notAnObject), "body.events[1] must be an object" },
                    { Map.of("events", tooMany), "at most 100" },
                    { Map.of("events", List.of()), "body.events is required" },
                    { Map.of("type", "refused_batch"), "body.events is required" } };
            for (Object[] bad : refused) {
                given().baseUri(Cluster.gateway1().httpUrl()).auth().oauth2(Users.admin()).contentType(ContentType.JSON)
                        .body(bad[0]).post("/api/v1/realtime/emit").then().statusCode(400)
                        .body("detail", org.hamcrest.Matchers.containsString((String) bad[1]));
            }
            Emit.toUser(Cluster.gateway1(), userId, "after_refused");
            agent.awaitEvent("after_refused", p -> true);
            assertThat(agent.events("refused_batch")).as("events of refused batches").isEmpty();
        }
    }
}
