package dev.switchboard.notification;

import static dev.switchboard.notification.NotificationFixture.as;
import static dev.switchboard.notification.NotificationFixture.awaitNotifications;
import static dev.switchboard.notification.NotificationFixture.chat;
import static dev.switchboard.notification.NotificationFixture.request;
import static dev.switchboard.notification.NotificationFixture.ticket;
import static dev.switchboard.notification.NotificationFixture.types;
import static dev.switchboard.notification.NotificationFixture.unread;
import static dev.switchboard.notification.NotificationFixture.user;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.switchboard.testsupport.LocalStackResource;
import dev.switchboard.testsupport.TicketFeed;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Each rule of SPEC §3, driven by events in the real producers' shapes on real Kafka. */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class NotificationRulesTest {
    private static Map<String, Object> assignment(String from, String to, String actor) {
        Map<String, Object> m = new HashMap<>();
        m.put("old_assignee_id", from);
        m.put("assignee_id", to);
        m.put("actor", Map.of("id", actor, "name", actor));
        return m;
    }

    @Test
    void theNewAssigneeIsNotifiedButNeverTheActor() {
        String requester = user("req");
        String agentA = user("agent");
        TicketFeed.Ticket t = ticket(requester);
        TicketFeed.Ticket assigned = t.next(agentA, List.of(), "OPEN");
        TicketFeed.ticketEvent("switchboard.ticket.assigned.v1", assigned, assignment(null, agentA, "agent-ann"));
        JsonPath page = awaitNotifications(agentA, p -> types(p).contains("TICKET_ASSIGNED"));
        assertThat(page.getString("items[0].title")).isEqualTo(t.number() + " was assigned to you");

        String agentB = user("agent");
        TicketFeed.ticketEvent("switchboard.ticket.assigned.v1", assigned.next(agentB, List.of(), "OPEN"),
                assignment(agentA, agentB, agentB));
        request(agentB, "MARKER", "marker");
        request(agentA, "MARKER", "marker");
        assertThat(types(awaitNotifications(agentB, p -> types(p).contains("MARKER")))).containsExactly("MARKER");
        assertThat(types(awaitNotifications(agentA, p -> types(p).contains("MARKER"))))
                .containsExactlyInAnyOrder("TICKET_ASSIGNED", "MARKER");
    }

    @Test
    void statusChangesGoToRequesterAndWatchersExceptTheActor() {
        String requester = user("req");
        String watcher = user("watch");
        TicketFeed.Ticket t = ticket(requester, watcher);
        TicketFeed.ticketEvent("switchboard.ticket.status_changed.v1", t.next(null, List.of(watcher), "RESOLVED"),
                Map.of("old_status", "OPEN", "status", "RESOLVED"));
        assertThat(awaitNotifications(requester, p -> types(p).contains("TICKET_STATUS_CHANGED")).getString("items[0].title"))
                .isEqualTo(t.number() + " is now RESOLVED");
        awaitNotifications(watcher, p -> types(p).contains("TICKET_STATUS_CHANGED"));

        TicketFeed.ticketEvent("switchboard.ticket.status_changed.v1", t.next(null, List.of(watcher), "RESOLVED")
                .next(null, List.of(watcher), "CLOSED"), Map.of("old_status", "RESOLVED", "status", "CLOSED",
                        "actor", Map.of("id", requester, "name", "Requester")));
        awaitNotifications(watcher, p -> types(p).stream().filter("TICKET_STATUS_CHANGED"::equals).count() == 2);
        request(requester, "MARKER", "marker");
        assertThat(types(awaitNotifications(requester, p -> types(p).contains("MARKER"))))
                .containsExactlyInAnyOrder("TICKET_STATUS_CHANGED", "MARKER");
    }

    @Test
    void internalCommentsNeverReachRequesterOrWatchers() {
        String requester = user("req");
        String watcher = user("watch");
        String assignee = user("agent");
        TicketFeed.Ticket t = ticket(requester, watcher).next(assignee, List.of(watcher), "OPEN");
        TicketFeed.ticketEvent("switchboard.ticket.assigned.v1", t, assignment(null, assignee, "agent-ann"));
        TicketFeed.ticketEvent("switchboard.ticket.comment_added.v1", t, Map.of("comment", comment(t, "INTERNAL", "secret plan")));
        TicketFeed.ticketEvent("switchboard.ticket.comment_added.v1", t, Map.of("comment", comment(t, "PUBLIC", "hello all")));
        awaitNotifications(assignee, p -> types(p).contains("COMMENT_ADDED"));
        for (String customer : List.of(requester, watcher)) {
            JsonPath page = awaitNotifications(customer, p -> types(p).contains("COMMENT_ADDED"));
            assertThat(page.getList("items.body").toString()).contains("hello all").doesNotContain("secret plan");
            assertThat(types(page)).containsExactly("COMMENT_ADDED");
        }
        assertThat(awaitNotifications(assignee, p -> types(p).contains("COMMENT_ADDED")).getList("items.body").toString())
                .contains("secret plan").doesNotContain("hello all");
    }

    private static Map<String, Object> comment(TicketFeed.Ticket t, String visibility, String body) {
        return Map.of("id", java.util.UUID.randomUUID().toString(), "ticket_id", t.id().toString(), "author_id", "agent-ann",
                "author_name", "Ann", "body", body, "visibility", visibility, "created_at",
                java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).toString());
    }

    @Test
    void twentyChatMessagesCollapseIntoOneUnreadNotification() {
        String requester = user("req");
        String agent = user("agent");
        TicketFeed.Ticket t = ticket(requester);
        for (int i = 1; i <= 20; i++) {
            chat(t, agent, "message number " + i);
        }
        JsonPath page = awaitNotifications(requester, p -> !p.getList("items").isEmpty() && p.getInt("items[0].count") == 20);
        assertThat(types(page)).containsExactly("NEW_MESSAGE");
        assertThat(page.getString("items[0].body")).isEqualTo("message number 20");
        assertThat(unread(requester)).isEqualTo(1);
        assertThat(page.getLong("unread")).isEqualTo(1);

        as(requester).post("/api/v1/notifications/read-all").then().statusCode(200);
        chat(t, agent, "after reading");
        JsonPath after = awaitNotifications(requester, p -> p.getList("items").size() == 2);
        assertThat(after.getInt("items[0].count")).isEqualTo(1);
        assertThat(unread(requester)).isEqualTo(1);
    }

    @Test
    void aChatEventDeliveredAgainCountsOnce() {
        String requester = user("req");
        String agent = user("agent");
        TicketFeed.Ticket t = ticket(requester);
        dev.switchboard.messaging.cloudevents.CloudEvent first = chat(t, agent, "said once");
        // Delivered again right behind itself (the same poll, as a rule) and again after another message.
        TicketFeed.send("switchboard.chat-events", t.id().toString(), first.dataBytes(), first.toKafkaHeaders());
        chat(t, agent, "second");
        TicketFeed.send("switchboard.chat-events", t.id().toString(), first.dataBytes(), first.toKafkaHeaders());
        chat(t, agent, "third");
        JsonPath page = awaitNotifications(requester, p -> !p.getList("items").isEmpty()
                && "third".equals(p.getString("items[0].body")));
        assertThat(types(page)).containsExactly("NEW_MESSAGE");
        assertThat(page.getInt("items[0].count")).isEqualTo(3);
    }

    @Test
    void onlyANewMessageNotifiesEditsDeletionsAndReadReceiptsDoNot() {
        String requester = user("req");
        String agent = user("agent");
        TicketFeed.Ticket t = ticket(requester);
        chat(t, agent, "first");
        chat("switchboard.chat.message_updated.v1", t, agent, "first, edited", requester);
        TicketFeed.publish("switchboard.chat-events", t.id().toString(), "switchboard.chat.message_deleted.v1", "/chat-service",
                Map.of("ticket_id", t.id().toString(), "message_id", java.util.UUID.randomUUID().toString(), "actor",
                        Map.of("id", agent, "name", "Agent")), TicketFeed.CHAT_SCHEMAS);
        TicketFeed.publish("switchboard.chat-events", t.id().toString(), "switchboard.chat.message_seen.v1", "/chat-service",
                Map.of("ticket_id", t.id().toString(), "message_id", java.util.UUID.randomUUID().toString(), "user_id",
                        agent, "read_at", java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).toString()),
                TicketFeed.CHAT_SCHEMAS);
        chat(t, agent, "second");
        // Same ticket, same partition: once "second" is in, the events before it were consumed.
        JsonPath page = awaitNotifications(requester, p -> !p.getList("items").isEmpty()
                && "second".equals(p.getString("items[0].body")));
        assertThat(types(page)).containsExactly("NEW_MESSAGE");
        assertThat(page.getInt("items[0].count")).isEqualTo(2);
        assertThat(unread(requester)).isEqualTo(1);
    }

    @Test
    void mentionsNotifyMentionedParticipantsAndAuthorsAreNeverNotified() {
        String requester = user("req");
        String watcher = user("watch");
        TicketFeed.Ticket t = ticket(requester, watcher);
        chat(t, requester, "ping @" + watcher + " and @nobody-here and @" + requester, watcher, "nobody-here", requester);
        awaitNotifications(watcher, p -> types(p).containsAll(List.of("NEW_MESSAGE", "MENTION")));
        request(requester, "MARKER", "marker");
        assertThat(types(awaitNotifications(requester, p -> types(p).contains("MARKER")))).containsExactly("MARKER");
    }

    @Test
    void preferencesMuteTypesAndTickets() {
        String requester = user("req");
        TicketFeed.Ticket muted = ticket(requester);
        TicketFeed.Ticket chatty = ticket(requester);
        as(requester).body(Map.of("muted_types", List.of("TICKET_STATUS_CHANGED"), "muted_ticket_ids", List.of(muted.id())))
                .put("/api/v1/preferences").then().statusCode(200);
        as(requester).get("/api/v1/preferences").then().statusCode(200)
                .body("muted_types", org.hamcrest.Matchers.contains("TICKET_STATUS_CHANGED"));
        chat(muted, "agent-x", "you will not hear of this");
        TicketFeed.ticketEvent("switchboard.ticket.status_changed.v1", chatty.next(null, List.of(), "RESOLVED"),
                Map.of("old_status", "OPEN", "status", "RESOLVED"));
        chat(chatty, "agent-x", "but of this");
        JsonPath page = awaitNotifications(requester, p -> types(p).contains("NEW_MESSAGE"));
        request(requester, "MARKER", "marker");
        page = awaitNotifications(requester, p -> types(p).contains("MARKER"));
        assertThat(types(page)).containsExactlyInAnyOrder("NEW_MESSAGE", "MARKER");
        assertThat(page.getString("items.find { it.type == 'NEW_MESSAGE' }.ticket_id")).isEqualTo(chatty.id().toString());
        as(requester).body(Map.of("muted_types", List.of())).put("/api/v1/preferences").then().statusCode(400);
    }
}
