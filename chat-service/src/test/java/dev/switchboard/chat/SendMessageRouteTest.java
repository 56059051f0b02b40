package dev.switchboard.chat;

import static dev.switchboard.chat.ChatFixture.as;
import static dev.switchboard.chat.ChatFixture.customer;
import static dev.switchboard.chat.ChatFixture.newTicket;
import static dev.switchboard.chat.ChatFixture.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.switchboard.chat.rest.SendMessageRoute;
import dev.switchboard.testsupport.LocalStackResource;
import dev.switchboard.testsupport.TicketFeed;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * chat-service's send as a Vert.x route in front of the REST layer: it answers the sends the gateway
 * makes, leaves everything else to the REST layer, and refuses bad input with the very problem
 * document the REST layer gives. The REST layer's answer is had by sending the same body padded with
 * whitespace beyond the route's size limit, which JSON ignores and the route passes on.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class SendMessageRouteTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    SendMessageRoute route;

    @Test
    void sendsAndRetriesAreAnsweredByTheRoute() throws Exception {
        String me = user("cust");
        TicketFeed.Ticket t = newTicket(me);
        String url = "/api/v1/tickets/" + t.id() + "/messages";
        long before = route.handled();
        as(customer(me)).body(Map.of("message", "hello")).post(url).then().statusCode(201)
                .contentType(ContentType.JSON).body("message", equalTo("hello")).body("author_id", equalTo(me));
        String first = as(customer(me)).body(Map.of("message", "once", "client_msg_id", "r-1")).post(url).then()
                .statusCode(201).extract().path("id");
        as(customer(me)).body(Map.of("message", "once", "client_msg_id", "r-1")).post(url).then().statusCode(200)
                .body("id", equalTo(first));
        assertThat(route.handled() - before).isEqualTo(3);
        // The same answer as the REST layer's, but for the new message's own values.
        Response viaRoute = as(customer(me)).body("{\"message\":\"same\"}").post(url);
        Response viaRest = as(customer(me)).body("{\"message\":\"same\"}" + " ".repeat(70 * 1024)).post(url);
        assertThat(viaRoute.statusCode()).isEqualTo(201).isEqualTo(viaRest.statusCode());
        assertThat(viaRoute.contentType()).isEqualTo(viaRest.contentType());
        JsonNode mine = tree(viaRoute);
        JsonNode rest = tree(viaRest);
        assertThat(mine.fieldNames()).toIterable().containsExactlyElementsOf(() -> rest.fieldNames());
        for (String same : List.of("ticket_id", "author_id", "author_name", "type", "message", "mentions", "attachments")) {
            assertThat(mine.get(same)).as(same).isEqualTo(rest.get(same));
        }
        assertThat(route.handled() - before).isEqualTo(4);
        as(customer(me)).get(url).then().statusCode(200).body("items.size()", equalTo(4));
    }

    @Test
    void whatTheRouteDoesNotTakeTheRestLayerAnswers() {
        String me = user("cust");
        TicketFeed.Ticket t = newTicket(me);
        String url = "/api/v1/tickets/" + t.id() + "/messages";
        long before = route.handled();
        given().contentType(ContentType.JSON).body(Map.of("message", "x")).post(url).then().statusCode(401)
                .header("WWW-Authenticate", "Bearer").body("type", equalTo("/problems/unauthenticated"));
        as("not.a.token").body(Map.of("message", "x")).post(url).then().statusCode(401)
                .body("type", equalTo("/problems/unauthenticated"));
        given().auth().oauth2(customer(me)).contentType(ContentType.TEXT).body("x").post(url).then().statusCode(415);
        given().auth().oauth2(customer(me)).contentType(ContentType.JSON).accept(ContentType.HTML)
                .body(Map.of("message", "x")).post(url).then().statusCode(406);
        as(customer(me)).body(Map.of("message", "x")).post("/api/v1/tickets/nope/messages").then().statusCode(404)
                .body("type", equalTo("/problems/not-found"));
        assertThat(route.handled()).isEqualTo(before);
        // None of them stored anything.
        as(customer(me)).get(url).then().statusCode(200).body("items.size()", equalTo(0));
    }

    @Test
    void refusalsAreTheRestLayersOwn() throws Exception {
        String me = user("cust");
        TicketFeed.Ticket t = newTicket(me);
        String url = "/api/v1/tickets/" + t.id() + "/messages";
        String token = customer(me);
        List<String> bodies = List.of(
                "{\"message\":\"  \"}",
                "{\"message\":\"" + "x".repeat(4001) + "\"}",
                "{\"message\":\"bell\\u0007\"}",
                "{\"message\":\"x\",\"message_type\":\"SYSTEM\"}",
                "{\"message\":\"x\",\"message_type\":\"FILE\"}",
                "{\"message\":\"x\",\"message_type\":\"VIDEO\"}",
                "{\"message\":\"x\",\"colour\":\"red\"}",
                "{\"message\":",
                "{\"message\":\"x\",\"attachments\":[\"not-an-id\"]}",
                "{\"message\":\"x\",\"attachments\":[1,2,3,4,5,6,7,8,9,10,11]}",
                "{\"message\":\"x\",\"client_msg_id\":\"\"}",
                "{\"message\":[\"x\"]}",
                "[]",
                "null");
        long before = route.handled();
        for (String body : bodies) {
            Response viaRoute = as(token).body(body).post(url);
            Response viaRest = as(token).body(body + " ".repeat(70 * 1024)).post(url);
            assertThat(viaRoute.statusCode()).as(body).isEqualTo(400).isEqualTo(viaRest.statusCode());
            assertThat(viaRoute.contentType()).as(body).isEqualTo(viaRest.contentType());
            assertThat(tree(viaRoute)).as(body).isEqualTo(tree(viaRest));
        }
        // A ticket the caller may not see, or that does not exist: 404 either way.
        String elsewhere = "/api/v1/tickets/" + UUID.randomUUID() + "/messages";
        Response viaRoute = as(token).body("{\"message\":\"x\"}").post(elsewhere);
        Response viaRest = as(token).body("{\"message\":\"x\"}" + " ".repeat(70 * 1024)).post(elsewhere);
        assertThat(viaRoute.statusCode()).isEqualTo(404).isEqualTo(viaRest.statusCode());
        assertThat(tree(viaRoute)).isEqualTo(tree(viaRest));
        assertThat(route.handled() - before).isEqualTo(bodies.size() + 1);
        as(token).body("").post(url).then().statusCode(400).body("errors[0].field", equalTo("request"));
        as(token).get(url).then().statusCode(200).body("items.size()", equalTo(0));
    }

    private static JsonNode tree(Response response) throws Exception {
        return JSON.readTree(response.asByteArray());
    }
}
