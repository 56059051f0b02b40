package dev.switchboard.gateway.it;

import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.ServiceProcess;
import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.WsClient;

/** Test users with fresh ids, and sockets for them. */
final class Users {
    private Users() {
    }

    static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static WsClient connect(ServiceProcess gateway, String token, String name) {
        WsClient client = WsClient.to(gateway.wsUrl()).bearer(token).name(name).connect();
        client.awaitEvent("connection");
        return client;
    }

    /** Joins the ticket room; chat-service may still be learning about a brand-new ticket, so FORBIDDEN is retried. */
    static JsonNode join(WsClient client, String ticketId) {
        return client.ack("join_ticket", Map.of("ticket_id", ticketId));
    }

    /** Sends a chat message; retried while chat-service has not yet seen the ticket's creation event. */
    static JsonNode send(WsClient client, String ticketId, String text) {
        JsonNode[] ack = new JsonNode[1];
        org.awaitility.Awaitility.await(client.name() + " sends a message").atMost(WsClient.TIMEOUT)
                .pollDelay(java.time.Duration.ZERO).pollInterval(java.time.Duration.ofMillis(200)).until(() -> {
                    JsonNode answer = client.request("send_message", Map.of("ticket_id", ticketId, "message", text));
                    if ("ack".equals(answer.path("type").asText())) {
                        ack[0] = answer.path("payload");
                        return true;
                    }
                    return false;
                });
        return ack[0];
    }

    static String admin() {
        return TestJwt.admin(id("admin"));
    }
}
