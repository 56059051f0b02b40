package dev.switchboard.gateway.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.WsClient;

/**
 * Every client request type of SPEC §5, with an id (exactly one ack) and without (no answer, the
 * effect still happens), and each protocol error of SPEC §7: the connection stays open after each.
 */
class ProtocolIT {

    /** A valid payload for every request type, against one ticket the user is part of. */
    private static Map<String, Map<String, Object>> requests(String ticketId, String messageId, String token,
            String userId) {
        Map<String, Map<String, Object>> r = new LinkedHashMap<>();
        r.put("join_ticket", Map.of("ticket_id", ticketId));
        r.put("get_messages", Map.of("ticket_id", ticketId, "limit", 10));
        r.put("typing_indicator", Map.of("ticket_id", ticketId, "is_typing", true));
        r.put("typing_stop", Map.of("ticket_id", ticketId));
        r.put("typing_start", Map.of("ticket_id", ticketId));
        r.put("message_seen", Map.of("ticket_id", ticketId, "message_id", messageId));
        r.put("get_online_users", Map.of("ticket_id", ticketId));
        r.put("set_presence", Map.of("status", "away"));
        r.put("list_tickets", Map.of("limit", 5));
        r.put("get_ticket", Map.of("ticket_id", ticketId));
        r.put("get_user_tickets", Map.of("user_id", userId));
        r.put("get_ticket_activities", Map.of("ticket_id", ticketId));
        r.put("list_notifications", Map.of("limit", 5));
        r.put("mark_notification_read", Map.of("all", true));
        r.put("refresh_token", Map.of("token", token));
        r.put("send_message", Map.of("ticket_id", ticketId, "message", "via every request type"));
        r.put("ping", Map.of());
        r.put("leave_ticket", Map.of("ticket_id", ticketId));
        return r;
    }

    @Test
    void everyRequestTypeWithAndWithoutId() {
        String userId = Users.id("cust");
        String token = TestJwt.customer(userId);
        String ticketId = Api.createTicket(token, "Every request", List.of());
        try (WsClient client = Users.connect(Cluster.gateway1(), token, "client");
                WsClient quiet = Users.connect(Cluster.gateway2(), token, "quiet")) {
            String messageId = Users.send(client, ticketId, "first").path("message").path("id").asText();
            Map<String, Map<String, Object>> requests = requests(ticketId, messageId, token, userId);

            // With an id: exactly one ack each, carrying the result.
            for (Map.Entry<String, Map<String, Object>> request : requests.entrySet()) {
                JsonNode answer = client.request(request.getKey(), request.getValue());
                assertThat(answer.path("type").asText()).as(request.getKey() + " -> " + answer).isEqualTo("ack");
            }
            JsonNode barrier = client.request("ping", null);
            for (String id : client.frames().stream().map(f -> f.path("id").asText(null))
                    .filter(id -> id != null).distinct().toList()) {
                assertThat(client.frames()).as("answers to " + id).filteredOn(f -> id.equals(f.path("id").asText(null)))
                        .hasSize(1);
            }
            assertThat(barrier.path("type").asText()).isEqualTo("ack");

            // Without an id: no ack or error, and the effects are there.
            for (Map.Entry<String, Map<String, Object>> request : requests.entrySet()) {
                quiet.send(request.getKey(), request.getValue());
            }
            quiet.awaitEvent("joined_ticket", p -> p.path("ticket_id").asText().equals(ticketId));
            quiet.awaitEvent("online_users", p -> p.path("ticket_id").asText().equals(ticketId));
            quiet.awaitEvent("pong");
            quiet.awaitEvent("left_ticket", p -> p.path("reason").asText().equals("left"));
            quiet.ack("ping", null);
            assertThat(quiet.frames()).noneMatch(f -> f.path("type").asText().equals("error"));
            assertThat(quiet.frames()).filteredOn(f -> f.path("type").asText().equals("ack")).hasSize(1);
            // quiet's send_message had no answer, and quiet left the room right after it: its message is in the
            // ticket's history beside the one client sent with an id.
            Awaitility.await("both sends are in the ticket's history").atMost(WsClient.TIMEOUT)
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                    .until(() -> given().baseUri(Cluster.chatUrl()).auth().oauth2(token)
                            .get("/api/v1/tickets/" + ticketId + "/messages").then().statusCode(200).extract()
                            .<List<String>>path("items.message").stream().filter("via every request type"::equals)
                            .count() == 2);
        }
    }

    @Test
    void protocolErrorsAreAnsweredAndTheConnectionStaysOpen() {
        String userId = Users.id("cust");
        String token = TestJwt.customer(userId);
        String ticketId = Api.createTicket(token, "Bad input", List.of());
        try (WsClient client = Users.connect(Cluster.gateway1(), token, "client")) {
            assertError(client, () -> client.sendRaw("{not json"), "INVALID_JSON");
            assertError(client, () -> client.sendRaw("[1,2,3]"), "INVALID_JSON");
            assertError(client, () -> client.sendRaw("{\"payload\":{}}"), "INVALID_PAYLOAD");
            assertError(client, () -> client.sendRaw("{\"type\":\"join_ticket\",\"payload\":[1]}"), "INVALID_PAYLOAD");
            assertError(client, () -> client.sendBinary(new byte[] { 1, 2, 3 }), "BINARY_NOT_SUPPORTED");

            JsonNode unknown = client.request("fly_to_the_moon", Map.of());
            assertThat(unknown.path("type").asText()).isEqualTo("error");
            assertThat(unknown.path("payload").path("code").asText()).isEqualTo("UNKNOWN_TYPE");
            assertThat(unknown.path("payload").path("message").asText()).contains("fly_to_the_moon");

            JsonNode missing = client.request("join_ticket", Map.of());
            assertThat(missing.path("payload").path("code").asText()).isEqualTo("INVALID_PAYLOAD");
            assertThat(missing.path("payload").path("message").asText()).contains("ticket_id");

            JsonNode wrongType = client.request("typing_indicator", Map.of("ticket_id", ticketId, "is_typing", "yes"));
            assertThat(wrongType.path("payload").path("code").asText()).isEqualTo("INVALID_PAYLOAD");
            assertThat(wrongType.path("payload").path("message").asText()).contains("is_typing");

            JsonNode badStatus = client.request("set_presence", Map.of("status", "on the moon"));
            assertThat(badStatus.path("payload").path("code").asText()).isEqualTo("INVALID_PAYLOAD");

            JsonNode badLimit = client.request("get_messages", Map.of("ticket_id", ticketId, "limit", 5000));
            assertThat(badLimit.path("payload").path("code").asText()).isEqualTo("INVALID_PAYLOAD");

            // The ack carries the message as chat-service stored it (passed through, not re-encoded), and a
            // retry with the same client_msg_id gets the same message back.
            JsonNode stored = Users.send(client, ticketId, "warm-up <script>alert(1)</script> ünïcødé");
            assertThat(stored.path("ticket_id").asText()).isEqualTo(ticketId);
            assertThat(stored.path("message").path("id").asText()).isNotBlank();
            assertThat(stored.path("message").path("message").asText()).contains("ünïcødé").doesNotContain("<script");
            JsonNode first = client.request("send_message", Map.of("ticket_id", ticketId, "message", "once",
                    "client_msg_id", "protocol-it-once"));
            JsonNode again = client.request("send_message", Map.of("ticket_id", ticketId, "message", "once",
                    "client_msg_id", "protocol-it-once"));
            assertThat(first.path("type").asText()).isEqualTo("ack");
            assertThat(again.path("payload").path("message").path("id").asText())
                    .isEqualTo(first.path("payload").path("message").path("id").asText());

            // Text over the limit: chat-service refuses it, the client gets its reason.
            JsonNode tooLong = client.request("send_message", Map.of("ticket_id", ticketId, "message", "x".repeat(4001)));
            assertThat(tooLong.path("payload").path("code").asText()).isEqualTo("INVALID_REQUEST");
            assertThat(tooLong.path("payload").path("message").asText()).isNotBlank();

            // A numeric id is echoed as sent.
            client.sendRaw("{\"type\":\"ping\",\"id\":42}");
            JsonNode numeric = client.awaitFrame(f -> f.path("type").asText().equals("ack") && f.path("id").isInt());
            assertThat(numeric.path("id").asInt()).isEqualTo(42);

            assertThat(client.isClosed()).isFalse();
            assertThat(client.ack("ping", null).has("timestamp")).isTrue();
        }
    }

    private static void assertError(WsClient client, Runnable send, String code) {
        int before = client.events("error").size();
        send.run();
        client.awaitFrame(f -> client.events("error").size() > before);
        JsonNode error = client.events("error").get(before);
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(client.ack("ping", null).has("timestamp")).as("still open after " + code).isTrue();
    }
}
