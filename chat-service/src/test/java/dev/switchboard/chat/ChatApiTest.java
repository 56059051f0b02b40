package dev.switchboard.chat;

import static dev.switchboard.chat.ChatFixture.agent;
import static dev.switchboard.chat.ChatFixture.as;
import static dev.switchboard.chat.ChatFixture.customer;
import static dev.switchboard.chat.ChatFixture.newTicket;
import static dev.switchboard.chat.ChatFixture.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.switchboard.testsupport.LocalStackResource;
import dev.switchboard.testsupport.TicketFeed;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Each chat endpoint's happy path and its errors. */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class ChatApiTest {
    private static final String PROBLEM = "application/problem+json";

    @Inject
    Pool database;

    @Test
    void sendReadEditDelete() {
        String me = user("cust");
        TicketFeed.Ticket t = newTicket(me);
        String url = "/api/v1/tickets/" + t.id() + "/messages";
        JsonPath sent = as(customer(me)).body(Map.of("message", "Hello @ann.smith and @bob!", "client_msg_id", "c-1"))
                .post(url).then().statusCode(201)
                .body("author_id", equalTo(me)).body("type", equalTo("TEXT")).body("deleted", equalTo(false))
                .body("mentions", contains("ann.smith", "bob")).body("client_msg_id", equalTo("c-1"))
                .body("created_at", notNullValue()).extract().jsonPath();
        String id = sent.getString("id");
        as(agent(user("agent"))).get(url).then().statusCode(200).body("items.id", contains(id));

        as(customer(me)).body(Map.of("message", "Hello @carol")).patch("/api/v1/messages/" + id).then().statusCode(200)
                .body("message", equalTo("Hello &#64;carol")).body("mentions", contains("carol"))
                .body("edited_at", notNullValue());
        as(agent(user("agent"))).body(Map.of("message", "not yours")).patch("/api/v1/messages/" + id).then().statusCode(403)
                .contentType(PROBLEM);
        as(agent(user("agent"))).delete("/api/v1/messages/" + id).then().statusCode(403);
        as(customer(me)).delete("/api/v1/messages/" + id).then().statusCode(200).body("deleted", equalTo(true))
                .body("message", equalTo(""));
        as(customer(me)).delete("/api/v1/messages/" + id).then().statusCode(200).body("deleted", equalTo(true));
        as(customer(me)).get(url).then().body("items[0].deleted", equalTo(true)).body("items[0].id", equalTo(id));
        as(customer(me)).body(Map.of("message", "too late")).patch("/api/v1/messages/" + id).then().statusCode(409);
    }

    @Test
    void invalidMessagesAre400WithFieldErrors() {
        String me = user("cust");
        TicketFeed.Ticket t = newTicket(me);
        String url = "/api/v1/tickets/" + t.id() + "/messages";
        String token = customer(me);
        as(token).body(Map.of("message", "  ")).post(url).then().statusCode(400).contentType(PROBLEM)
                .body("errors.field", hasItem("message"));
        as(token).body(Map.of("message", "x".repeat(4001))).post(url).then().statusCode(400).body("errors.field", hasItem("message"));
        as(token).body(Map.of("message", "x".repeat(4000))).post(url).then().statusCode(201);
        as(token).body(Map.of("message", "bell\u0007")).post(url).then().statusCode(400)
                .body("errors.message", hasItem(org.hamcrest.Matchers.containsString("control characters")));
        as(token).body(Map.of("message", "two\nlines\tand a tab")).post(url).then().statusCode(201);
        as(token).body(Map.of("message", "x", "message_type", "SYSTEM")).post(url).then().statusCode(400)
                .body("errors.field", hasItem("message_type"));
        as(token).body(Map.of("message", "x", "message_type", "FILE")).post(url).then().statusCode(400)
                .body("errors.field", hasItem("attachments"));
        as(token).body(Map.of("message", "x", "message_type", "VIDEO")).post(url).then().statusCode(400)
                .body("errors.field", hasItem("message_type"));
        as(token).body(Map.of("message", "x", "colour", "red")).post(url).then().statusCode(400);
        as(token).body("{\"message\":").post(url).then().statusCode(400).body("type", equalTo("/problems/malformed-json"));
        as(token).body(Map.of("message", "x", "attachments", List.of("not-an-id"))).post(url).then().statusCode(400)
                .body("errors.field", hasItem("attachments[0]"));
        as(token).queryParam("limit", 101).get(url).then().statusCode(400).body("errors.field", hasItem("limit"));
        as(token).queryParam("limit", "many").get(url).then().statusCode(400);
        as(token).queryParam("before", UUID.randomUUID()).get(url).then().statusCode(400).body("errors.field", hasItem("before"));
        as(token).queryParam("offset", -1).get(url).then().statusCode(400);
        as(token).get("/api/v1/tickets/" + UUID.randomUUID() + "/messages").then().statusCode(404).contentType(PROBLEM);
        as(token).get("/api/v1/tickets/nope/messages").then().statusCode(404);
        given().get(url).then().statusCode(401);
    }

    @Test
    void scriptsNeverComeBackAndTheTextIsStoredAsWritten() {
        String me = user("cust");
        TicketFeed.Ticket t = newTicket(me);
        String attack = "<script>alert(1)</script><img src=x onerror=alert(2)>"
                + "<a href=\"javascript:alert(3)\">click</a> <b>bold</b> <a href=\"https://example.com\">ok</a>";
        String id = ChatFixture.send(customer(me), t.id(), attack);
        String shown = as(customer(me)).get("/api/v1/tickets/" + t.id() + "/messages").then().statusCode(200)
                .extract().path("items[0].message");
        assertThat(shown).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("onerror")
                .doesNotContainIgnoringCase("javascript:").doesNotContainIgnoringCase("<img")
                .contains("<b>bold</b>").contains("https://example.com");
        String stored = database.preparedQuery("select body from chat_message where id = $1")
                .execute(Tuple.of(UUID.fromString(id))).await().atMost(ChatFixture.TIMEOUT).iterator().next().getString(0);
        assertThat(stored).isEqualTo(attack);
    }

    @Test
    void readReceiptsOnlyMoveForward() {
        String me = user("cust");
        TicketFeed.Ticket t = newTicket(me);
        String first = ChatFixture.send(agent(user("agent")), t.id(), "first");
        String second = ChatFixture.send(agent(user("agent")), t.id(), "second");
        String url = "/api/v1/tickets/" + t.id() + "/read";
        as(customer(me)).body(Map.of("message_id", second)).post(url).then().statusCode(200).body("advanced", equalTo(true));
        as(customer(me)).body(Map.of("message_id", first)).post(url).then().statusCode(200).body("advanced", equalTo(false));
        as(customer(me)).body(Map.of("message_id", second)).post(url).then().statusCode(200).body("advanced", equalTo(false));
        as(customer(me)).body(Map.of("message_id", UUID.randomUUID())).post(url).then().statusCode(400)
                .body("errors.field", hasItem("message_id"));
        as(customer(me)).body(Map.of()).post(url).then().statusCode(400).body("errors.field", hasItem("message_id"));
    }

    @Test
    void participantsAndSearch() {
        String me = user("cust");
        String watcher = user("watch");
        TicketFeed.Ticket t = newTicket(me, watcher);
        as(customer(me)).get("/api/v1/tickets/" + t.id() + "/participants").then().statusCode(200)
                .body("user_id", org.hamcrest.Matchers.containsInAnyOrder(me, watcher))
                .body("role", org.hamcrest.Matchers.containsInAnyOrder("REQUESTER", "WATCHER"));
        String word = "kumquat" + Long.toHexString(System.nanoTime());
        String hit = ChatFixture.send(customer(me), t.id(), "The " + word + " shipment is late");
        ChatFixture.send(customer(me), t.id(), "Something unrelated");
        as(customer(me)).queryParam("q", word).get("/api/v1/tickets/" + t.id() + "/messages/search").then()
                .statusCode(200).body("id", contains(hit));
        as(customer(me)).queryParam("q", word).get("/api/v1/messages/search").then().statusCode(200).body("id", contains(hit));
        as(agent(user("agent"))).queryParam("q", word).get("/api/v1/messages/search").then().body("id", contains(hit));
        as(customer(user("cust"))).queryParam("q", word).get("/api/v1/messages/search").then().statusCode(200)
                .body("size()", equalTo(0));
        as(customer(me)).get("/api/v1/messages/search").then().statusCode(400).body("errors.field", hasItem("q"));
    }
}
