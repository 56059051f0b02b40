package dev.switchboard.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.WsClient;
import io.restassured.http.ContentType;

/**
 * A helpdesk day, end to end (issue 8): the local stack and the four services as real processes,
 * driven only from outside (REST and WebSocket clients), each step asserting what every party sees.
 */
class HelpdeskJourneyIT {

    @BeforeAll
    static void suite() {
        Suite.start();
    }

    private static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static WsClient connect(String token, String name) {
        WsClient client = WsClient.to(Suite.gateway().wsUrl()).bearer(token).name(name).connect();
        client.awaitEvent("connection");
        return client;
    }

    /** Opens a ticket; returns once chat-service, which learns of it through Kafka, knows it too. */
    private static String openTicket(String customerToken, String title) {
        String ticketId = given().baseUri(Suite.ticketUrl()).auth().oauth2(customerToken).contentType(ContentType.JSON)
                .body(Map.of("title", title, "description", "opened by an end-to-end test", "priority", "HIGH"))
                .post("/api/v1/tickets").then().statusCode(201).extract().path("id");
        Awaitility.await("chat-service knows ticket " + ticketId).atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200)).until(() -> given().baseUri(Suite.chatUrl()).auth()
                        .oauth2(customerToken).get("/api/v1/tickets/" + ticketId + "/participants").statusCode() == 200);
        return ticketId;
    }

    private static void assign(String agentToken, String ticketId, String assigneeId) {
        given().baseUri(Suite.ticketUrl()).auth().oauth2(agentToken).contentType(ContentType.JSON)
                .body(Map.of("assignee_id", assigneeId)).post("/api/v1/tickets/" + ticketId + "/assignee").then()
                .statusCode(200);
    }

    private static void status(String agentToken, String ticketId, String status) {
        given().baseUri(Suite.ticketUrl()).auth().oauth2(agentToken).contentType(ContentType.JSON)
                .body(Map.of("status", status)).post("/api/v1/tickets/" + ticketId + "/status").then().statusCode(200);
    }

    private static void comment(String token, String ticketId, String body, String visibility) {
        given().baseUri(Suite.ticketUrl()).auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("body", body, "visibility", visibility)).post("/api/v1/tickets/" + ticketId + "/comments")
                .then().statusCode(201);
    }

    private static int unread(String token) {
        return given().baseUri(Suite.notificationUrl()).auth().oauth2(token).get("/api/v1/notifications/unread-count")
                .then().statusCode(200).extract().path("unread");
    }

    /** Joins the ticket room; chat-service may still be learning about a brand-new ticket, so FORBIDDEN is retried. */
    private static JsonNode join(WsClient client, String ticketId) {
        JsonNode[] ack = new JsonNode[1];
        Awaitility.await(client.name() + " joins " + ticketId).atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    JsonNode answer = client.request("join_ticket", Map.of("ticket_id", ticketId));
                    if ("ack".equals(answer.path("type").asText())) {
                        ack[0] = answer.path("payload");
                        return true;
                    }
                    return false;
                });
        return ack[0];
    }

    private static String messageId(JsonNode newMessage) {
        return newMessage.path("payload").path("message").path("id").asText();
    }

    @Test
    void aTicketIsOpenedAssignedAndNotified() {
        String customerId = id("cust");
        String customerToken = TestJwt.customer(customerId);
        String agentId = id("agent");
        String agentToken = TestJwt.agent(agentId);
        try (WsClient agent = connect(agentToken, "agent"); WsClient other = connect(TestJwt.agent(id("other")), "other")) {
            int unreadBefore = unread(agentToken);
            String ticketId = openTicket(customerToken, "E2E: printer on fire");

            // Every agent sees the new ticket in their list.
            for (WsClient a : List.of(agent, other)) {
                JsonNode created = a.awaitEvent("ticket_created", p -> p.path("ticket_id").asText().equals(ticketId));
                assertThat(created.path("payload").path("ticket").path("title").asText()).isEqualTo("E2E: printer on fire");
            }

            // Assigned: the assignee is told, personally, and gets a notification with the right unread count.
            assign(TestJwt.admin(id("admin")), ticketId, agentId);
            JsonNode toYou = agent.awaitEvent("ticket_assigned_to_you", p -> p.path("ticket_id").asText().equals(ticketId));
            assertThat(toYou.path("payload").path("assignee_id").asText()).isEqualTo(agentId);
            JsonNode notification = agent.awaitEvent("notification",
                    p -> p.path("notification").path("ticket_id").asText().equals(ticketId));
            assertThat(notification.path("payload").path("notification").path("read").asBoolean()).isFalse();
            JsonNode count = agent.awaitEvent("notification_count", p -> p.path("unread").asInt() > unreadBefore);
            assertThat(count.path("payload").path("unread").asInt()).isEqualTo(unreadBefore + 1);
            assertThat(unread(agentToken)).isEqualTo(unreadBefore + 1);
            // The other agent sees the assignment in the list, but not as theirs.
            other.awaitEvent("ticket_assigned", p -> p.path("ticket_id").asText().equals(ticketId));
            assertThat(other.events("ticket_assigned_to_you")).noneMatch(p -> p.path("ticket_id").asText().equals(ticketId));
        }
    }

    @Test
    void customerAndAgentChatWithTypingAndSeenReceipts() {
        String customerId = id("cust");
        String customerToken = TestJwt.customer(customerId);
        String agentId = id("agent");
        String ticketId = openTicket(customerToken, "E2E: chat");
        try (WsClient customer = connect(customerToken, "customer"); WsClient agent = connect(TestJwt.agent(agentId), "agent")) {
            join(customer, ticketId);
            join(agent, ticketId);
            customer.awaitEvent("user_joined", p -> p.path("user_id").asText().equals(agentId));

            customer.send("typing_indicator", Map.of("ticket_id", ticketId, "is_typing", true));
            JsonNode typing = agent.awaitEvent("typing_indicator", p -> p.path("user_id").asText().equals(customerId));
            assertThat(typing.path("payload").path("is_typing").asBoolean()).isTrue();

            JsonNode sent = customer.ack("send_message", Map.of("ticket_id", ticketId, "message", "Hello, anyone there?"));
            String question = sent.path("message").path("id").asText();
            JsonNode got = agent.awaitEvent("new_message", p -> p.path("message").path("id").asText().equals(question));
            assertThat(got.path("payload").path("message").path("message").asText()).isEqualTo("Hello, anyone there?");
            customer.send("typing_indicator", Map.of("ticket_id", ticketId, "is_typing", false));
            agent.awaitEvent("typing_indicator", p -> p.path("user_id").asText().equals(customerId)
                    && !p.path("is_typing").asBoolean());

            agent.ack("message_seen", Map.of("ticket_id", ticketId, "message_id", question));
            JsonNode seen = customer.awaitEvent("message_status_update", p -> p.path("message_id").asText().equals(question));
            assertThat(seen.path("payload").path("status").asText()).isEqualTo("seen");
            assertThat(seen.path("payload").path("user_id").asText()).isEqualTo(agentId);

            String answer = agent.ack("send_message", Map.of("ticket_id", ticketId, "message", "Yes, how can I help?"))
                    .path("message").path("id").asText();
            customer.awaitEvent("new_message", p -> p.path("message").path("id").asText().equals(answer));
            // Nobody gets their own typing indicator back.
            assertThat(customer.events("typing_indicator")).noneMatch(p -> p.path("user_id").asText().equals(customerId));
        }
    }

    @Test
    void aReconnectingCustomerRecoversWhatTheyMissedInOrder() {
        String customerToken = TestJwt.customer(id("cust"));
        String agentToken = TestJwt.agent(id("agent"));
        String ticketId = openTicket(customerToken, "E2E: recovery");
        String epoch;
        long last;
        try (WsClient agent = connect(agentToken, "agent")) {
            join(agent, ticketId);
            List<JsonNode> missed = new ArrayList<>();
            try (WsClient customer = connect(customerToken, "customer")) {
                JsonNode joined = join(customer, ticketId);
                epoch = customer.awaitEvent("joined_ticket").path("payload").path("epoch").asText();
                last = customer.awaitEvent("joined_ticket").path("payload").path("seq").asLong();
                assertThat(joined).isNotNull();
            }
            for (int i = 1; i <= 3; i++) {
                agent.ack("send_message", Map.of("ticket_id", ticketId, "message", "while you were away " + i));
            }
            status(agentToken, ticketId, "WAITING_ON_CUSTOMER");
            // The agent, in the room all along, sees the room's order: the reference. The status change is two room
            // events: ticket_status_update, and the SYSTEM chat message chat-service adds ("Status changed to ...").
            Awaitility.await("the agent has the 3 messages and the status change").atMost(Duration.ofSeconds(20))
                    .until(() -> roomEvents(agent, ticketId, last).stream().anyMatch(e -> isSystem(e)));
            missed.addAll(roomEvents(agent, ticketId, last));
            assertThat(missed).extracting(e -> e.path("type").asText()).containsExactlyInAnyOrder("new_message",
                    "new_message", "new_message", "ticket_status_update", "new_message");
            assertThat(missed.stream().filter(e -> e.path("type").asText().equals("new_message") && !isSystem(e))
                    .map(e -> e.path("payload").path("message").path("message").asText()))
                    .containsExactly("while you were away 1", "while you were away 2", "while you were away 3");

            try (WsClient customer = connect(customerToken, "customer-back")) {
                JsonNode rejoined = customer.ack("join_ticket", Map.of("ticket_id", ticketId, "since", last, "epoch", epoch));
                assertThat(rejoined).isNotNull();
                JsonNode joined = customer.awaitEvent("joined_ticket");
                assertThat(joined.path("payload").path("recovered").asBoolean()).isTrue();
                assertThat(joined.path("payload").path("recovered_events").asInt()).isEqualTo(missed.size());
                Awaitility.await("the customer recovered what they missed").atMost(Duration.ofSeconds(20))
                        .until(() -> roomEvents(customer, ticketId, last).size() >= missed.size());
                List<JsonNode> recovered = roomEvents(customer, ticketId, last);
                assertThat(recovered).extracting(e -> e.path("payload").path("event_id").asText())
                        .containsExactlyElementsOf(missed.stream().map(e -> e.path("payload").path("event_id").asText()).toList());
                assertThat(recovered).extracting(e -> e.path("payload").path("seq").asLong())
                        .containsExactly(last + 1, last + 2, last + 3, last + 4, last + 5);
                assertThat(recovered.stream().filter(e -> e.path("type").asText().equals("new_message") && !isSystem(e))
                        .map(e -> e.path("payload").path("message").path("message").asText()))
                        .containsExactly("while you were away 1", "while you were away 2", "while you were away 3");
                JsonNode status = recovered.stream().filter(e -> e.path("type").asText().equals("ticket_status_update"))
                        .findFirst().orElseThrow();
                assertThat(status.path("payload").path("status").asText()).isEqualTo("WAITING_ON_CUSTOMER");
            }
        }
    }

    private static boolean isSystem(JsonNode event) {
        return "new_message".equals(event.path("type").asText())
                && "SYSTEM".equals(event.path("payload").path("message").path("type").asText());
    }

    /** The ticket room's events after {@code since}, in the order received. */
    private static List<JsonNode> roomEvents(WsClient client, String ticketId, long since) {
        return client.frames().stream().filter(f -> f.path("payload").path("room").asText().equals("ticket:" + ticketId)
                && f.path("payload").path("seq").asLong() > since && !f.path("payload").path("event_id").asText().isEmpty())
                .toList();
    }

    @Test
    void anInternalCommentNeverReachesTheCustomer() {
        String customerId = id("cust");
        String customerToken = TestJwt.customer(customerId);
        String agentToken = TestJwt.agent(id("agent"));
        String ticketId = openTicket(customerToken, "E2E: internal comment");
        try (WsClient customer = connect(customerToken, "customer"); WsClient agent = connect(agentToken, "agent")) {
            join(customer, ticketId);
            join(agent, ticketId);
            comment(agentToken, ticketId, "internal: refund approved by finance", "INTERNAL");
            comment(agentToken, ticketId, "We will refund you today.", "PUBLIC");
            agent.awaitEvent("comment_added", p -> p.path("comment").path("body").asText().startsWith("internal:"));
            customer.awaitEvent("comment_added", p -> p.path("comment").path("body").asText().equals("We will refund you today."));
            // The public comment came after the internal one: had the internal one been sent, it would be here.
            assertThat(customer.frames()).noneMatch(f -> f.toString().contains("refund approved by finance"));
            String comments = given().baseUri(Suite.ticketUrl()).auth().oauth2(customerToken)
                    .get("/api/v1/tickets/" + ticketId + "/comments").then().statusCode(200).extract().asString();
            assertThat(comments).contains("We will refund you today.").doesNotContain("refund approved by finance");
            // Nor a notification about it.
            String notifications = given().baseUri(Suite.notificationUrl()).auth().oauth2(customerToken)
                    .get("/api/v1/notifications").then().statusCode(200).extract().asString();
            assertThat(notifications).doesNotContain("refund approved by finance");
        }
    }
}
