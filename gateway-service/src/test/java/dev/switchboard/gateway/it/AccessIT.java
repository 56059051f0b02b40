package dev.switchboard.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.WsClient;

/**
 * Ticket rooms follow ticket access (SPEC §2): a customer cannot join a ticket they are not part of
 * and never receives its events through any room, INTERNAL comments never reach a customer's
 * socket, and a participant who is removed is taken out of the room at once; so is a user whose role
 * changes with {@code refresh_token}.
 */
class AccessIT {

    private static String ticketOf(JsonNode frame) {
        return frame.path("payload").path("ticket_id").asText(frame.path("payload").path("ticket").path("id").asText());
    }

    @Test
    void aCustomerCannotJoinATicketTheyAreNotPartOfNorHearIt() {
        String ownerToken = TestJwt.customer(Users.id("owner"));
        String ticketId = Api.createTicket(ownerToken, "Someone else's", List.of());
        String agentToken = TestJwt.agent(Users.id("agent"));
        String strangerId = Users.id("stranger");
        try (WsClient stranger = Users.connect(Cluster.gateway1(), TestJwt.customer(strangerId), "stranger");
                WsClient agent = Users.connect(Cluster.gateway2(), agentToken, "agent")) {
            JsonNode refused = stranger.request("join_ticket", Map.of("ticket_id", ticketId));
            assertThat(refused.path("type").asText()).isEqualTo("error");
            assertThat(refused.path("payload").path("code").asText()).isEqualTo("FORBIDDEN");
            // Indistinguishable from a ticket that does not exist.
            JsonNode missing = stranger.request("join_ticket", Map.of("ticket_id", UUID.randomUUID().toString()));
            assertThat(missing.path("payload")).isEqualTo(refused.path("payload"));
            for (String type : List.of("get_online_users", "get_ticket", "get_messages", "get_ticket_activities")) {
                assertThat(stranger.request(type, Map.of("ticket_id", ticketId)).path("payload").path("code").asText())
                        .as(type).isEqualTo("FORBIDDEN");
            }
            assertThat(stranger.request("send_message", Map.of("ticket_id", ticketId, "message", "let me in"))
                    .path("payload").path("code").asText()).isEqualTo("FORBIDDEN");
            assertThat(stranger.request("typing_indicator", Map.of("ticket_id", ticketId, "is_typing", true))
                    .path("payload").path("code").asText()).isEqualTo("FORBIDDEN");

            // Everything that happens on the ticket, while the stranger is connected.
            Users.join(agent, ticketId);
            String messageId = Users.send(agent, ticketId, "private chat").path("message").path("id").asText();
            Api.comment(agentToken, ticketId, "internal note for staff", "INTERNAL");
            Api.comment(agentToken, ticketId, "public reply", "PUBLIC");
            Api.status(agentToken, ticketId, "IN_PROGRESS");
            agent.awaitEvent("new_message", p -> p.path("message").path("id").asText().equals(messageId));
            agent.awaitEvent("ticket_status_update", p -> p.path("ticket_id").asText().equals(ticketId));
            agent.awaitEvent("comment_added", p -> p.path("comment").path("body").asText().equals("public reply"));
            // A personal event sent after all of it has reached the stranger, so theirs would have too.
            Emit.toUser(Cluster.gateway1(), strangerId, "barrier");
            stranger.awaitEvent("barrier");
            assertThat(stranger.frames()).noneMatch(f -> ticketOf(f).equals(ticketId));
            assertThat(stranger.frames().toString()).doesNotContain(ticketId).doesNotContain("internal note");
        }
    }

    @Test
    void internalCommentsReachStaffButNeverTheCustomer() {
        String customerId = Users.id("cust");
        String customerToken = TestJwt.customer(customerId);
        String ticketId = Api.createTicket(customerToken, "Internal comments", List.of());
        String agentToken = TestJwt.agent(Users.id("agent"));
        try (WsClient customer = Users.connect(Cluster.gateway1(), customerToken, "customer");
                WsClient agent = Users.connect(Cluster.gateway2(), agentToken, "agent");
                WsClient admin = Users.connect(Cluster.gateway1(), Users.admin(), "admin")) {
            Users.join(customer, ticketId);
            Users.join(agent, ticketId);
            Api.comment(agentToken, ticketId, "staff only: refund approved", "INTERNAL");
            Api.comment(agentToken, ticketId, "we are on it", "PUBLIC");
            JsonNode internal = agent.awaitEvent("comment_added",
                    p -> p.path("comment").path("body").asText().equals("staff only: refund approved"));
            assertThat(internal.path("payload").path("room").asText()).isEqualTo("role:agent");
            assertThat(internal.path("payload").path("comment").path("visibility").asText()).isEqualTo("INTERNAL");
            admin.awaitEvent("comment_added",
                    p -> p.path("comment").path("body").asText().equals("staff only: refund approved"));
            // The public comment, published after the internal one, reaches the customer; the internal one never does.
            customer.awaitEvent("comment_added", p -> p.path("comment").path("body").asText().equals("we are on it"));
            assertThat(customer.frames().toString()).doesNotContain("refund approved").doesNotContain("INTERNAL");
        }
    }

    @Test
    void aRemovedWatcherIsTakenOutOfTheRoomAtOnce() {
        String requesterToken = TestJwt.customer(Users.id("req"));
        String watcherId = Users.id("watcher");
        String ticketId = Api.createTicket(requesterToken, "Watcher removed", List.of());
        String agentToken = TestJwt.agent(Users.id("agent"));
        Api.addWatcher(agentToken, ticketId, watcherId);
        try (WsClient watcher = Users.connect(Cluster.gateway1(), TestJwt.customer(watcherId), "watcher");
                WsClient agent = Users.connect(Cluster.gateway2(), agentToken, "agent")) {
            Users.join(watcher, ticketId);
            Users.join(agent, ticketId);
            String before = Users.send(agent, ticketId, "before removal").path("message").path("id").asText();
            watcher.awaitEvent("new_message", p -> p.path("message").path("id").asText().equals(before));

            Api.removeWatcher(agentToken, ticketId, watcherId);
            JsonNode left = watcher.awaitEvent("left_ticket", p -> p.path("ticket_id").asText().equals(ticketId));
            assertThat(left.path("payload").path("reason").asText()).isEqualTo("access_revoked");
            agent.awaitEvent("user_left", p -> p.path("user_id").asText().equals(watcherId));

            String after = Users.send(agent, ticketId, "after removal").path("message").path("id").asText();
            agent.awaitEvent("new_message", p -> p.path("message").path("id").asText().equals(after));
            Emit.toUser(Cluster.gateway2(), watcherId, "barrier");
            watcher.awaitEvent("barrier");
            assertThat(watcher.events("new_message")).noneMatch(p -> p.path("message").path("id").asText().equals(after));
            // The cached access decision went with the event: joining again is refused at once.
            assertThat(watcher.request("join_ticket", Map.of("ticket_id", ticketId)).path("payload").path("code")
                    .asText()).isEqualTo("FORBIDDEN");
        }
    }

    @Test
    void aRoleChangeOnRefreshTakesEffectAtOnce() {
        String ticketId = Api.createTicket(TestJwt.customer(Users.id("cust")), "Role change", List.of());
        String userId = Users.id("demoted");
        try (WsClient user = Users.connect(Cluster.gateway1(), TestJwt.agent(userId), "demoted");
                WsClient agent = Users.connect(Cluster.gateway2(), TestJwt.agent(Users.id("agent")), "agent")) {
            Users.join(user, ticketId);
            Users.join(agent, ticketId);
            Emit.toRole(Cluster.gateway2(), "agent", "team_note", "as agent");
            user.awaitEvent("team_note", p -> p.path("note").asText().equals("as agent"));

            // The same user, now a customer: the agents' room and a ticket they are not part of go at once.
            JsonNode refreshed = user.ack("refresh_token", Map.of("token", TestJwt.customer(userId)));
            assertThat(refreshed.path("expires_at").asText()).isNotEmpty();
            JsonNode left = user.awaitEvent("left_ticket", p -> p.path("ticket_id").asText().equals(ticketId));
            assertThat(left.path("payload").path("reason").asText()).isEqualTo("access_revoked");
            agent.awaitEvent("user_left", p -> p.path("user_id").asText().equals(userId));
            Emit.toRole(Cluster.gateway2(), "agent", "team_note", "after the demotion");
            String after = Users.send(agent, ticketId, "after the demotion").path("message").path("id").asText();
            agent.awaitEvent("new_message", p -> p.path("message").path("id").asText().equals(after));
            Emit.toUser(Cluster.gateway2(), userId, "barrier");
            user.awaitEvent("barrier");
            assertThat(user.events("team_note")).noneMatch(p -> p.path("note").asText().equals("after the demotion"));
            assertThat(user.events("new_message")).noneMatch(p -> p.path("message").path("id").asText().equals(after));
            assertThat(user.request("join_ticket", Map.of("ticket_id", ticketId)).path("payload").path("code").asText())
                    .isEqualTo("FORBIDDEN");

            // Promoted again: the agents' room is back without reconnecting.
            user.ack("refresh_token", Map.of("token", TestJwt.agent(userId)));
            Emit.toRole(Cluster.gateway2(), "agent", "team_note", "agent again");
            user.awaitEvent("team_note", p -> p.path("note").asText().equals("agent again"));
        }
    }
}
