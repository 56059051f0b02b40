package dev.switchboard.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.WsClient;
import io.restassured.http.ContentType;

/**
 * INTERNAL comments never reach a customer, on any channel (SPEC §2; issue 11): neither the
 * requester nor a customer watcher sees one over REST (comments, activity log, ticket, chat history
 * and search, notifications and the unread count) nor over WebSocket (live room events, the
 * requests that read the same data, the room log replayed on {@code join_ticket since}, personal
 * notifications). Staff see it everywhere. A public comment made after the internal one is the
 * barrier: each channel shows the public one, so it would have shown the internal one too.
 * (Live socket delivery alone is also in HelpdeskJourneyIT and the gateway's AccessIT.)
 */
class InternalCommentLeakIT {
    private static final String INTERNAL = "staff-only-" + Attack.id("n");
    private static final String PUBLIC = "public-reply-" + Attack.id("p");

    @BeforeAll
    static void suite() {
        Suite.start();
    }

    @Test
    void anInternalCommentReachesNoCustomerOnAnyChannel() {
        String requesterId = Attack.id("req");
        String requester = TestJwt.customer(requesterId);
        String watcherId = Attack.id("watch");
        String watcher = TestJwt.customer(watcherId);
        String agentId = Attack.id("agent");
        String agent = TestJwt.agent(agentId);
        String ticketId = Attack.openTicket(requester, "Internal leak check");
        given().baseUri(Suite.ticketUrl()).auth().oauth2(agent).contentType(ContentType.JSON)
                .post("/api/v1/tickets/" + ticketId + "/watchers/" + watcherId)
                .then().statusCode(200);
        int unreadBefore = unread(requester);

        try (WsClient req = Attack.connect(requester, "requester"); WsClient wat = Attack.connect(watcher, "watcher");
                WsClient staff = Attack.connect(agent, "agent")) {
            Attack.join(req, ticketId);
            Attack.join(wat, ticketId);
            Attack.join(staff, ticketId);
            long since = req.awaitEvent("joined_ticket").path("payload").path("seq").asLong();

            // The internal comment mentions the customers by name too, in case mentions notify.
            Attack.comment(agent, ticketId, INTERNAL + " @" + requesterId + " @" + watcherId, "INTERNAL");
            Attack.comment(agent, ticketId, PUBLIC, "PUBLIC");

            staff.awaitEvent("comment_added", p -> p.path("comment").path("body").asText().startsWith(INTERNAL));
            for (WsClient customer : List.of(req, wat)) {
                customer.awaitEvent("comment_added", p -> p.path("comment").path("body").asText().equals(PUBLIC));
                customer.awaitEvent("notification", p -> p.toString().contains(ticketId));
            }
            // The requester's notifications: the public comment's arrived (barrier), none for the internal one.
            Awaitility.await("the public comment's notification").atMost(Duration.ofSeconds(20))
                    .until(() -> unread(requester) > unreadBefore);
            assertThat(unread(requester)).isEqualTo(unreadBefore + 1);

            List<String> seen = new ArrayList<>();
            for (String[] customer : new String[][] { { requester, requesterId }, { watcher, watcherId } }) {
                String token = customer[0];
                seen.add(Attack.get(Suite.ticketUrl(), token, "/api/v1/tickets/" + ticketId + "/comments").asString());
                seen.add(Attack.get(Suite.ticketUrl(), token, "/api/v1/tickets/" + ticketId + "/activities").asString());
                seen.add(Attack.get(Suite.ticketUrl(), token, "/api/v1/tickets/" + ticketId).asString());
                seen.add(Attack.get(Suite.ticketUrl(), token, "/api/v1/users/" + customer[1] + "/tickets").asString());
                seen.add(Attack.get(Suite.chatUrl(), token, "/api/v1/tickets/" + ticketId + "/messages").asString());
                seen.add(Attack.get(Suite.chatUrl(), token, "/api/v1/messages/search?q=" + INTERNAL).asString());
                seen.add(Attack.get(Suite.notificationUrl(), token, "/api/v1/notifications").asString());
            }
            assertThat(seen.get(0)).contains(PUBLIC);
            for (WsClient customer : List.of(req, wat)) {
                seen.add(customer.ack("get_ticket_activities", Map.of("ticket_id", ticketId)).toString());
                seen.add(customer.ack("get_ticket", Map.of("ticket_id", ticketId)).toString());
                seen.add(customer.ack("get_messages", Map.of("ticket_id", ticketId)).toString());
                seen.add(customer.ack("list_notifications", Map.of()).toString());
                seen.add(customer.ack("list_tickets", Map.of()).toString());
                seen.add(customer.frames().toString());
            }
            // The room log, replayed to a customer who comes back: the public comment, never the internal one.
            try (WsClient back = Attack.connect(requester, "requester-back")) {
                back.ack("join_ticket", Map.of("ticket_id", ticketId, "since", since));
                back.awaitEvent("comment_added", p -> p.path("comment").path("body").asText().equals(PUBLIC));
                seen.add(back.frames().toString());
            }
            for (String answer : seen) {
                assertThat(answer).doesNotContain(INTERNAL).doesNotContain("INTERNAL");
            }
            // Staff do see it, over REST and in the activity log.
            assertThat(Attack.get(Suite.ticketUrl(), agent, "/api/v1/tickets/" + ticketId + "/comments").asString())
                    .contains(INTERNAL);
            System.out.println("[InternalCommentLeakIT] " + seen.size() + " customer answers and streams checked, 0 leaks");
        }
    }

    @Test
    void aCustomerCannotWriteOrAskForInternalComments() {
        String customer = TestJwt.customer(Attack.id("cust"));
        String ticketId = Attack.openTicket(customer, "Internal by a customer");
        int status = given().baseUri(Suite.ticketUrl()).auth().oauth2(customer).contentType(ContentType.JSON)
                .body(Map.of("body", "I am staff now " + INTERNAL, "visibility", "INTERNAL"))
                .post("/api/v1/tickets/" + ticketId + "/comments").statusCode();
        assertThat(status).isIn(400, 403);
        for (String query : new String[] { "?visibility=INTERNAL", "?visibility=ALL", "?include_internal=true" }) {
            String answer = Attack.get(Suite.ticketUrl(), customer, "/api/v1/tickets/" + ticketId + "/comments" + query)
                    .asString();
            assertThat(answer).doesNotContain("INTERNAL");
        }
    }

    private static int unread(String token) {
        return given().baseUri(Suite.notificationUrl()).auth().oauth2(token).get("/api/v1/notifications/unread-count")
                .then().statusCode(200).extract().path("unread");
    }
}
