package dev.switchboard.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.switchboard.testsupport.ServiceProcess;
import dev.switchboard.testsupport.TestStack;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * SPEC §2: the dev login mints tokens for the demo users that every service accepts, when it is
 * enabled; in the prod profile it does not exist, even when switched on.
 */
class DevLoginIT {

    @Test
    void demoUsersSignInAndTheirTokensWorkEverywhere() {
        String gateway = Suite.gateway().httpUrl();
        List<String> usernames = given().baseUri(gateway).get("/api/v1/dev/users").then().statusCode(200).extract()
                .jsonPath().getList("username");
        assertThat(usernames).contains("alice", "bob", "carol", "dana", "evan", "fran");

        JsonPath login = given().baseUri(gateway).contentType(ContentType.JSON).body(Map.of("username", "dana"))
                .post("/api/v1/dev/login").then().statusCode(200).extract().jsonPath();
        assertThat(login.getString("user.id")).isEqualTo("demo-dana");
        assertThat(login.getList("user.roles")).containsExactly("agent");
        assertThat(login.getString("services.ticket")).isEqualTo(Suite.ticketUrl());
        String token = login.getString("token");
        // ticket-service verifies the token like any other: an agent sees the ticket list.
        given().baseUri(Suite.ticketUrl()).auth().oauth2(token).get("/api/v1/tickets").then().statusCode(200);
        given().baseUri(Suite.notificationUrl()).auth().oauth2(token).get("/api/v1/notifications/unread-count").then()
                .statusCode(200);

        given().baseUri(gateway).contentType(ContentType.JSON).body(Map.of("username", "mallory"))
                .post("/api/v1/dev/login").then().statusCode(400);
    }

    @Test
    void theProdProfileHasNoDevLoginEvenWhenEnabled() {
        Suite.start();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("quarkus.profile", "prod");
        properties.put("SWITCHBOARD_JWT_PUBLIC_KEY", "file:" + Paths.get("target", "services", "jwt-public.pem").toAbsolutePath());
        properties.put("quarkus.redis.hosts", "redis://127.0.0.1:" + TestStack.PROFILE.redisPort);
        properties.put("kafka.bootstrap.servers", "127.0.0.1:" + TestStack.PROFILE.kafkaPort);
        properties.put("quarkus.rest-client.ticket-service.url", Suite.ticketUrl());
        properties.put("quarkus.rest-client.chat-service.url", Suite.chatUrl());
        properties.put("quarkus.rest-client.notification-service.url", Suite.notificationUrl());
        properties.put("switchboard.dev-login.enabled", "true");
        properties.put("switchboard.dev-login.private-key-location", Suite.privateKey().toString());
        try (ServiceProcess prod = ServiceProcess.start("gateway-prod", ServiceProcess.jarOf("gateway-service"), properties)) {
            given().baseUri(prod.httpUrl()).get("/api/v1/dev/users").then().statusCode(404);
            given().baseUri(prod.httpUrl()).contentType(ContentType.JSON).body(Map.of("username", "fran"))
                    .post("/api/v1/dev/login").then().statusCode(404);
            assertThat(prod.logText()).contains("ignored in the prod profile");
        }
    }
}
