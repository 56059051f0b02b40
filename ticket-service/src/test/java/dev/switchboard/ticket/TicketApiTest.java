package dev.switchboard.ticket;

import static dev.switchboard.ticket.TicketApi.admin;
import static dev.switchboard.ticket.TicketApi.agent;
import static dev.switchboard.ticket.TicketApi.as;
import static dev.switchboard.ticket.TicketApi.create;
import static dev.switchboard.ticket.TicketApi.customer;
import static dev.switchboard.ticket.TicketApi.uniqueUser;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.switchboard.testsupport.LocalStackResource;
import dev.switchboard.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.jwt.build.Jwt;

/** Each endpoint's happy path and its errors (400 with field errors, 401, 403, 404, 409). */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class TicketApiTest {
    private static final String PROBLEM = "application/problem+json";

    @Test
    void createsATicketWithAHumanNumberAndTheCallerAsRequester() {
        String me = uniqueUser("cust");
        JsonPath ticket = as(customer(me)).body(Map.of("title", "Printer on fire", "description", "Smoke", "priority", "HIGH"))
                .post("/api/v1/tickets").then().statusCode(201)
                .header("Location", containsString("/api/v1/tickets/"))
                .body("number", matchesPattern("SB-\\d{4,}"))
                .body("status", equalTo("OPEN"))
                .body("priority", equalTo("HIGH"))
                .body("requester_id", equalTo(me))
                .body("assignee_id", nullValue())
                .body("version", equalTo(0))
                .extract().jsonPath();
        as(customer(me)).get("/api/v1/tickets/" + ticket.getString("id")).then().statusCode(200)
                .body("title", equalTo("Printer on fire")).body("description", equalTo("Smoke"));
    }

    @Test
    void agentsOpenTicketsOnSomeonesBehalfWithWatchers() {
        String customerId = uniqueUser("cust");
        JsonPath ticket = create(agent(uniqueUser("agent")), Map.of("title", "Phoned in", "requester_id", customerId,
                "watcher_ids", List.of("w1", "w2", "w1")));
        assertThat(ticket.getString("requester_id")).isEqualTo(customerId);
        assertThat(ticket.getList("watcher_ids")).containsExactly("w1", "w2");
        as(customer(uniqueUser("cust"))).body(Map.of("title", "x", "requester_id", customerId))
                .post("/api/v1/tickets").then().statusCode(403).contentType(PROBLEM);
    }

    @Test
    void invalidBodiesGetFieldErrors() {
        String token = customer(uniqueUser("cust"));
        as(token).body(Map.of("description", "no title")).post("/api/v1/tickets").then().statusCode(400)
                .contentType(PROBLEM).body("status", equalTo(400)).body("title", equalTo("Invalid request"))
                .body("errors.field", hasItem("title"));
        as(token).body(Map.of("title", "x".repeat(201))).post("/api/v1/tickets").then().statusCode(400)
                .body("errors.field", hasItem("title"));
        as(token).body(Map.of("title", "ok", "priority", "SOMEDAY")).post("/api/v1/tickets").then().statusCode(400)
                .body("errors.field", hasItem("priority")).body("errors.message", hasItem(containsString("URGENT")));
        as(token).body(Map.of("title", "ok", "colour", "red")).post("/api/v1/tickets").then().statusCode(400)
                .body("errors.field", hasItem("colour"));
        as(token).body("{\"title\": ").post("/api/v1/tickets").then().statusCode(400).contentType(PROBLEM)
                .body("type", equalTo("/problems/malformed-json"));
        as(token).body(Map.of("title", "   ")).post("/api/v1/tickets").then().statusCode(400)
                .body("errors.field", hasItem("title"));
    }

    @Test
    void requestsWithoutAValidTokenAre401() {
        given().get("/api/v1/tickets").then().statusCode(401).contentType(PROBLEM)
                .body("type", equalTo("/problems/unauthenticated")).header("WWW-Authenticate", "Bearer");
        given().auth().oauth2("not-a-jwt").get("/api/v1/tickets").then().statusCode(401).contentType(PROBLEM);
        String expired = TestJwt.token("u1", "U", Duration.ofSeconds(-60), "customer");
        given().auth().oauth2(expired).get("/api/v1/tickets").then().statusCode(401).contentType(PROBLEM);
        String foreignKey = Jwt.issuer(TestJwt.ISSUER).subject("u1").groups("admin")
                .sign(dev.switchboard.localstack.JwtKeyFiles.generate().getPrivate());
        given().auth().oauth2(foreignKey).get("/api/v1/tickets").then().statusCode(401);
        String wrongIssuer = Jwt.issuer("https://evil.example").subject("u1").groups("admin").sign(TestJwt.privateKey());
        given().auth().oauth2(wrongIssuer).get("/api/v1/tickets").then().statusCode(401);
    }

    /** Services remember tokens they verified (VerifiedTokenCache); a remembered token still expires. */
    @Test
    void aRememberedTokenIsRefusedOnceItExpiresAndATamperedOneNeverPasses() {
        org.assertj.core.api.Assertions.assertThat(io.quarkus.arc.Arc.container().instance(io.smallrye.jwt.auth.principal.JWTParser.class).get())
                .isInstanceOf(dev.switchboard.jwt.VerifiedTokenCache.class);
        String shortLived = TestJwt.token(uniqueUser("cust"), "Short", Duration.ofSeconds(3), "customer");
        given().auth().oauth2(shortLived).get("/api/v1/tickets").then().statusCode(200);
        given().auth().oauth2(shortLived).get("/api/v1/tickets").then().statusCode(200);
        // Same header and claims, another signature: must not be taken for the remembered token.
        String tampered = shortLived.substring(0, shortLived.lastIndexOf('.') + 1)
                + new StringBuilder(shortLived.substring(shortLived.lastIndexOf('.') + 1)).reverse();
        given().auth().oauth2(tampered).get("/api/v1/tickets").then().statusCode(401);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> given().auth().oauth2(shortLived).get("/api/v1/tickets").then().statusCode(401));
    }

    @Test
    void unknownTicketsAre404Problems() {
        String token = agent(uniqueUser("agent"));
        as(token).get("/api/v1/tickets/00000000-0000-0000-0000-000000000000").then().statusCode(404)
                .contentType(PROBLEM).body("type", equalTo("/problems/not-found"));
        as(token).get("/api/v1/tickets/not-a-uuid").then().statusCode(404).contentType(PROBLEM);
        as(token).get("/api/v1/tickets/00000000-0000-0000-0000-000000000000/comments").then().statusCode(404);
    }

    @Test
    void listFiltersAndPagesWithACursor() {
        String me = uniqueUser("cust");
        String token = customer(me);
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(create(token, "Paging ticket " + i).getString("id"));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var request = as(token).queryParam("limit", 2).queryParam("requester", me);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/api/v1/tickets").then().statusCode(200).extract().jsonPath();
            seen.addAll(page.getList("items.id"));
            cursor = page.getString("next_cursor");
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        List<String> newestFirst = new ArrayList<>(created);
        java.util.Collections.reverse(newestFirst);
        assertThat(seen).containsExactlyElementsOf(newestFirst);

        String agentToken = agent(uniqueUser("agent"));
        TicketApi.changeStatus(agentToken, created.get(0), "IN_PROGRESS").then().statusCode(200);
        as(agentToken).body(Map.of("title", "Paging ticket 1", "priority", "URGENT", "version", 0))
                .patch("/api/v1/tickets/" + created.get(1)).then().statusCode(200);
        String assignee = uniqueUser("agent");
        TicketApi.assign(agentToken, created.get(2), assignee).then().statusCode(200);

        as(token).queryParam("status", "IN_PROGRESS").queryParam("requester", me).get("/api/v1/tickets").then()
                .statusCode(200).body("items.id", contains(created.get(0)));
        as(token).queryParam("priority", "URGENT").queryParam("requester", me).get("/api/v1/tickets").then()
                .body("items.id", contains(created.get(1)));
        as(agentToken).queryParam("assignee", assignee).get("/api/v1/tickets").then()
                .body("items.id", contains(created.get(2)));
        String number = as(token).get("/api/v1/tickets/" + created.get(3)).then().extract().path("number");
        as(token).queryParam("text", number).get("/api/v1/tickets").then().body("items.id", contains(created.get(3)));
        String word = "zebra" + System.nanoTime();
        String special = create(token, Map.of("title", "Special", "description", "the " + word + " escaped")).getString("id");
        as(token).queryParam("text", word).get("/api/v1/tickets").then().body("items.id", contains(special));
        as(token).queryParam("requester", me).queryParam("status", "OPEN,IN_PROGRESS").get("/api/v1/tickets").then()
                .body("items.size()", equalTo(6));
    }

    @Test
    void invalidListParametersAre400() {
        String token = customer(uniqueUser("cust"));
        as(token).queryParam("limit", 0).get("/api/v1/tickets").then().statusCode(400).body("errors.field", hasItem("limit"));
        as(token).queryParam("limit", 101).get("/api/v1/tickets").then().statusCode(400);
        as(token).queryParam("limit", "abc").get("/api/v1/tickets").then().statusCode(400).contentType(PROBLEM)
                .body("errors.field", hasItem("limit"));
        as(token).queryParam("status", "SLEEPING").get("/api/v1/tickets").then().statusCode(400)
                .body("errors.field", hasItem("status"));
        as(token).queryParam("cursor", "garbage!").get("/api/v1/tickets").then().statusCode(400)
                .body("errors.field", hasItem("cursor"));
    }

    @Test
    void patchUsesOptimisticLocking() {
        String me = uniqueUser("cust");
        String id = create(customer(me), "Typo in titel").getString("id");
        as(customer(me)).body(Map.of("title", "Typo in title", "version", 0)).patch("/api/v1/tickets/" + id)
                .then().statusCode(200).body("title", equalTo("Typo in title")).body("version", equalTo(1));
        as(customer(me)).body(Map.of("title", "Stale edit", "version", 0)).patch("/api/v1/tickets/" + id)
                .then().statusCode(409).contentType(PROBLEM).body("type", equalTo("/problems/stale-version"))
                .body("current_version", equalTo(1));
        as(customer(me)).body(Map.of("title", "   ", "version", 1)).patch("/api/v1/tickets/" + id)
                .then().statusCode(400).body("errors.field", hasItem("title"));
        as(customer(me)).body(Map.of("title", "No version")).patch("/api/v1/tickets/" + id)
                .then().statusCode(400).body("errors.field", hasItem("version"));
        as(customer(me)).body(Map.of("priority", "URGENT", "version", 1)).patch("/api/v1/tickets/" + id)
                .then().statusCode(403);
    }

    @Test
    void statusFollowsTheStateMachine() {
        String me = uniqueUser("cust");
        String id = create(customer(me), "Broken login").getString("id");
        String agentToken = agent(uniqueUser("agent"));
        TicketApi.changeStatus(agentToken, id, "OPEN").then().statusCode(409).contentType(PROBLEM)
                .body("type", equalTo("/problems/invalid-transition"))
                .body("allowed", contains("IN_PROGRESS", "WAITING_ON_CUSTOMER", "RESOLVED", "CLOSED"));
        TicketApi.changeStatus(agentToken, id, "RESOLVED").then().statusCode(200).body("status", equalTo("RESOLVED"));
        TicketApi.changeStatus(agentToken, id, "IN_PROGRESS").then().statusCode(409)
                .body("current_status", equalTo("RESOLVED")).body("allowed", contains("OPEN", "CLOSED"));
        TicketApi.changeStatus(customer(me), id, "OPEN").then().statusCode(200).body("status", equalTo("OPEN"));
        TicketApi.changeStatus(customer(me), id, "CLOSED").then().statusCode(200).body("status", equalTo("CLOSED"));
        TicketApi.changeStatus(customer(me), id, "RESOLVED").then().statusCode(403);
        TicketApi.changeStatus(agentToken, id, "RESOLVED").then().statusCode(409).body("allowed", contains("OPEN"));
        as(agentToken).body(Map.of("status", "LATER")).post("/api/v1/tickets/" + id + "/status").then().statusCode(400)
                .body("errors.field", hasItem("status"));
        as(agentToken).body(Map.of()).post("/api/v1/tickets/" + id + "/status").then().statusCode(400)
                .body("errors.field", hasItem("status"));
    }

    @Test
    void assigningAndWatching() {
        String me = uniqueUser("cust");
        String id = create(customer(me), "Need help").getString("id");
        String adminToken = admin(uniqueUser("admin"));
        TicketApi.assign(adminToken, id, "agent-ann").then().statusCode(200).body("assignee_id", equalTo("agent-ann"));
        TicketApi.assign(adminToken, id, null).then().statusCode(200).body("assignee_id", nullValue());
        TicketApi.assign(customer(me), id, "me-please").then().statusCode(403);

        TicketApi.addWatcher(adminToken, id, "boss").then().statusCode(200).body("watcher_ids", contains("boss"));
        TicketApi.addWatcher(adminToken, id, "boss").then().statusCode(200).body("watcher_ids", contains("boss"));
        as(adminToken).delete("/api/v1/tickets/" + id + "/watchers/boss").then().statusCode(200)
                .body("watcher_ids.size()", equalTo(0));
        TicketApi.addWatcher(customer(me), id, me).then().statusCode(200).body("watcher_ids", contains(me));
        TicketApi.addWatcher(customer(me), id, "friend").then().statusCode(403);
    }

    @Test
    void commentsAndActivityLog() {
        String me = uniqueUser("cust");
        String id = create(customer(me), "Where is my parcel").getString("id");
        String agentId = uniqueUser("agent");
        TicketApi.comment(customer(me), id, "Any news?", "PUBLIC").then().statusCode(201)
                .body("author_id", equalTo(me)).body("visibility", equalTo("PUBLIC")).body("id", notNullValue());
        TicketApi.comment(agent(agentId), id, "Courier lost it", "INTERNAL").then().statusCode(201);
        as(customer(me)).body(Map.of("body", "")).post("/api/v1/tickets/" + id + "/comments").then().statusCode(400)
                .body("errors.field", hasItem("body"));
        as(customer(me)).body(Map.of("body", "x".repeat(20_001))).post("/api/v1/tickets/" + id + "/comments")
                .then().statusCode(400);

        as(agent(agentId)).get("/api/v1/tickets/" + id + "/comments").then().statusCode(200)
                .body("body", contains("Any news?", "Courier lost it"));
        as(agent(agentId)).body(Map.of("priority", "HIGH", "version", 0)).patch("/api/v1/tickets/" + id).then().statusCode(200);

        JsonPath log = as(agent(agentId)).get("/api/v1/tickets/" + id + "/activities").then().statusCode(200)
                .extract().jsonPath();
        assertThat(log.getList("action")).containsExactly("CREATED", "COMMENT_ADDED", "COMMENT_ADDED", "UPDATED");
        assertThat(log.getString("[0].actor_id")).isEqualTo(me);
        assertThat(log.getString("[3].actor_id")).isEqualTo(agentId);
        assertThat(log.getString("[3].actor_name")).isEqualTo("Agent " + agentId);
        assertThat(log.getMap("[3].before")).isEqualTo(Map.of("priority", "NORMAL"));
        assertThat(log.getMap("[3].after")).isEqualTo(Map.of("priority", "HIGH"));
        assertThat(log.getString("[3].created_at")).isNotBlank();
    }

    @Test
    void aUsersTickets() {
        String me = uniqueUser("cust");
        String mine = create(customer(me), "Mine").getString("id");
        String watched = create(agent(uniqueUser("agent")), Map.of("title", "Watched", "requester_id",
                uniqueUser("cust"), "watcher_ids", List.of(me))).getString("id");
        as(customer(me)).get("/api/v1/users/" + me + "/tickets").then().statusCode(200)
                .body("items.id", contains(watched, mine));
        as(agent(uniqueUser("agent"))).get("/api/v1/users/" + me + "/tickets").then().statusCode(200)
                .body("items.size()", equalTo(2));
        as(customer(uniqueUser("cust"))).get("/api/v1/users/" + me + "/tickets").then().statusCode(403);
    }

    @Test
    void openApiDocumentsTheTicketApi() {
        Map<String, Object> paths = given().accept(ContentType.JSON).get("/q/openapi").then().statusCode(200)
                .extract().path("paths");
        assertThat(paths).containsKeys("/api/v1/tickets", "/api/v1/tickets/{id}", "/api/v1/tickets/{id}/status",
                "/api/v1/tickets/{id}/assignee", "/api/v1/tickets/{id}/watchers/{userId}",
                "/api/v1/tickets/{id}/comments", "/api/v1/tickets/{id}/activities", "/api/v1/users/{userId}/tickets");
        Map<String, Object> components = new HashMap<>(given().accept(ContentType.JSON).get("/q/openapi").then()
                .extract().path("components.schemas"));
        assertThat(components).containsKeys("TicketView", "Problem", "CreateTicket");
    }
}
