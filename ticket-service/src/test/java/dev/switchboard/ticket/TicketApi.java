package dev.switchboard.ticket;

import static io.restassured.RestAssured.given;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import dev.switchboard.testsupport.TestJwt;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Test users and calls against the real ticket API. */
final class TicketApi {
    private TicketApi() {
    }

    /** A user id no other test uses, so lists and access checks see only this test's tickets. */
    static String uniqueUser(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    static RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).accept(ContentType.JSON);
    }

    static String customer(String userId) {
        return TestJwt.customer(userId);
    }

    static String agent(String userId) {
        return TestJwt.agent(userId);
    }

    static String admin(String userId) {
        return TestJwt.admin(userId);
    }

    /** Opens a ticket as {@code token} and returns it. */
    static JsonPath create(String token, String title) {
        return create(token, Map.of("title", title, "description", "Something about " + title));
    }

    static JsonPath create(String token, Map<String, Object> body) {
        return as(token).body(body).post("/api/v1/tickets").then().statusCode(201).extract().jsonPath();
    }

    static Response changeStatus(String token, String ticketId, String status) {
        return as(token).body(Map.of("status", status)).post("/api/v1/tickets/" + ticketId + "/status");
    }

    static Response assign(String token, String ticketId, String assigneeId) {
        Map<String, Object> body = new HashMap<>();
        body.put("assignee_id", assigneeId);
        return as(token).body(body).post("/api/v1/tickets/" + ticketId + "/assignee");
    }

    static Response addWatcher(String token, String ticketId, String userId) {
        return as(token).post("/api/v1/tickets/" + ticketId + "/watchers/" + userId);
    }

    static Response comment(String token, String ticketId, String body, String visibility) {
        return as(token).body(Map.of("body", body, "visibility", visibility))
                .post("/api/v1/tickets/" + ticketId + "/comments");
    }
}
