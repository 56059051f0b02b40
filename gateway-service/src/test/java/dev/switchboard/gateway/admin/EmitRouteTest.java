package dev.switchboard.gateway.admin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.switchboard.testsupport.LocalStackResource;
import dev.switchboard.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * The batch emit as a Vert.x route in front of the REST layer: it answers admins' batches itself, with the very
 * answers the REST operation gives (202 with each event's seq, or the same 400 problem for each bad body), and leaves
 * every request it does not take to the REST layer. The REST layer's answer is had by sending the same body padded
 * with whitespace beyond the route's size limit, which JSON ignores and the route passes on.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class EmitRouteTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/api/v1/realtime/emit";
    private static final String PAD = " ".repeat(EmitRoute.MAX_BODY + 1);

    @Inject
    EmitRoute route;

    private static String admin() {
        return TestJwt.admin("emit-route-admin");
    }

    private static Response post(String token, String body) {
        var request = given().contentType(ContentType.JSON).body(body);
        return (token == null ? request : request.auth().oauth2(token)).post(PATH);
    }

    @Test
    void anAdminsBatchIsAnsweredByTheRouteAsTheRestLayerAnswersIt() throws Exception {
        String room = "ticket:" + java.util.UUID.randomUUID();
        String body = JSON.writeValueAsString(Map.of("events", List.of(
                Map.of("kind", "room", "target", room, "type", "route_item", "payload", Map.of("n", 1)),
                Map.of("kind", "room", "target", room, "type", "route_item"))));
        long before = route.handled();
        Response viaRoute = post(admin(), body);
        assertThat(route.handled() - before).isEqualTo(1);
        Response viaRest = post(admin(), body + PAD);
        assertThat(route.handled() - before).as("a body over the route's limit goes to the REST layer").isEqualTo(1);

        assertThat(viaRoute.statusCode()).isEqualTo(202).isEqualTo(viaRest.statusCode());
        assertThat(viaRoute.contentType()).isEqualTo(viaRest.contentType());
        JsonNode mine = JSON.readTree(viaRoute.asString()).path("events");
        JsonNode rest = JSON.readTree(viaRest.asString()).path("events");
        assertThat(mine.size()).isEqualTo(2).isEqualTo(rest.size());
        for (int i = 0; i < 2; i++) {
            assertThat(mine.get(i).path("room").asText()).isEqualTo(room).isEqualTo(rest.get(i).path("room").asText());
            assertThat(mine.get(i).path("type").asText()).isEqualTo("route_item");
            assertThat(mine.get(i).path("event_id").asText()).isNotBlank().isNotEqualTo(rest.get(i).path("event_id").asText());
            assertThat(mine.get(i).fieldNames()).toIterable().containsExactlyElementsOf(() -> rest.get(0).fieldNames());
        }
        // One room's events get their seqs in the list's order, the route's before the REST layer's.
        assertThat(mine.get(1).path("seq").asLong()).isEqualTo(mine.get(0).path("seq").asLong() + 1);
        assertThat(rest.get(0).path("seq").asLong()).isEqualTo(mine.get(1).path("seq").asLong() + 1);
    }

    /** SPEC §7: each bad body is refused whole with the REST operation's own 400 problem, and nothing is sent. */
    @Test
    void eachBadBodyGetsTheRestLayersProblem() throws Exception {
        List<Object> tooMany = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            tooMany.add(Map.of("kind", "role", "target", "agent", "type", "refused"));
        }
        List<String> bad = List.of(
                JSON.writeValueAsString(Map.of("events", List.of(Map.of("kind", "role", "target", "agent", "type", "Bad Type!")))),
                JSON.writeValueAsString(Map.of("events", List.of(Map.of("kind", "role", "target", "agent", "type", "x",
                        "payload", List.of(1))))),
                JSON.writeValueAsString(Map.of("events", List.of(Map.of("kind", "planet", "target", "mars", "type", "x")))),
                JSON.writeValueAsString(Map.of("events", List.of(Map.of("kind", "role", "target", "agent", "type", "x"), "text"))),
                JSON.writeValueAsString(Map.of("events", tooMany)),
                JSON.writeValueAsString(Map.of("events", List.of())),
                JSON.writeValueAsString(Map.of("type", "x")),
                "[1, 2]",
                "null",
                "{\"events\": [",
                "not json at all");
        for (String body : bad) {
            long before = route.handled();
            Response viaRoute = post(admin(), body);
            assertThat(route.handled() - before).as(body).isEqualTo(1);
            Response viaRest = post(admin(), body + PAD);
            assertThat(viaRoute.statusCode()).as(body).isEqualTo(400).isEqualTo(viaRest.statusCode());
            assertThat(viaRoute.contentType()).as(body).startsWith("application/problem+json").isEqualTo(viaRest.contentType());
            assertThat(JSON.readTree(viaRoute.asString())).as(body).isEqualTo(JSON.readTree(viaRest.asString()));
        }
    }

    @Test
    void whatTheRouteDoesNotTakeTheRestLayerAnswers() throws Exception {
        String body = JSON.writeValueAsString(Map.of("events", List.of(Map.of("kind", "role", "target", "agent", "type", "x"))));
        long before = route.handled();
        post(null, body).then().statusCode(401);
        post("not.a.token", body).then().statusCode(401);
        post(TestJwt.agent("emit-route-agent"), body).then().statusCode(403);
        given().auth().oauth2(admin()).contentType(ContentType.TEXT).body(body).post(PATH).then().statusCode(415);
        given().auth().oauth2(admin()).contentType(ContentType.JSON).accept(ContentType.XML).body(body).post(PATH).then()
                .statusCode(org.hamcrest.Matchers.greaterThanOrEqualTo(400));
        assertThat(route.handled() - before).isZero();
    }
}
