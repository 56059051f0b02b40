package dev.switchboard.gateway.it;

import static io.restassured.RestAssured.given;

import java.util.Map;

import dev.switchboard.testsupport.ServiceProcess;
import io.restassured.http.ContentType;

/** The admin emit API, used by tests as a barrier: a personal event sent after the events under test. */
final class Emit {
    private Emit() {
    }

    static void toUser(ServiceProcess gateway, String userId, String type) {
        given().baseUri(gateway.httpUrl()).auth().oauth2(Users.admin()).contentType(ContentType.JSON)
                .body(Map.of("type", type, "payload", Map.of("note", "test"))).post("/api/v1/realtime/emit/user/" + userId)
                .then().statusCode(202);
    }

    static void toRole(ServiceProcess gateway, String role, String type, String note) {
        given().baseUri(gateway.httpUrl()).auth().oauth2(Users.admin()).contentType(ContentType.JSON)
                .body(Map.of("type", type, "payload", Map.of("note", note))).post("/api/v1/realtime/emit/role/" + role)
                .then().statusCode(202);
    }
}
