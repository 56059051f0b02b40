package dev.switchboard.gateway.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.switchboard.gateway.websocket.FrameCodec;

/** The event to room mapping, without servers: which rooms, which types, which event ids. */
class EventRouterTest {
    private final EventRouter router = new EventRouter(new FrameCodec(new ObjectMapper()));

    private static String ticket(String requester, String assignee, String... watchers) {
        return "{\"id\":\"t1\",\"requester_id\":\"" + requester + "\",\"assignee_id\":"
                + (assignee == null ? "null" : "\"" + assignee + "\"") + ",\"watcher_ids\":["
                + String.join(",", java.util.Arrays.stream(watchers).map(w -> "\"" + w + "\"").toList()) + "]}";
    }

    private static List<String> rooms(EventRouter.Routing routing) {
        return routing.events().stream().map(e -> e.room() + " " + e.type()).toList();
    }

    @Test
    void internalCommentsGoOnlyToStaffRooms() {
        EventRouter.Routing routing = router.route("ce1", "switchboard.ticket.comment_added.v1",
                "{\"ticket_id\":\"t1\",\"ticket\":" + ticket("cust", null) + ",\"comment\":{\"body\":\"x\","
                        + "\"visibility\":\"INTERNAL\"},\"actor\":{\"id\":\"a\",\"name\":\"A\"}}");
        assertThat(rooms(routing)).containsExactlyInAnyOrder("role:agent comment_added", "role:admin comment_added");
        EventRouter.Routing publicComment = router.route("ce2", "switchboard.ticket.comment_added.v1",
                "{\"ticket_id\":\"t1\",\"ticket\":" + ticket("cust", null) + ",\"comment\":{\"body\":\"x\","
                        + "\"visibility\":\"PUBLIC\"},\"actor\":{\"id\":\"a\",\"name\":\"A\"}}");
        assertThat(rooms(publicComment)).containsExactly("ticket:t1 comment_added");
    }

    @Test
    void assignmentReachesTheRoomTheStaffTheParticipantsAndTheAssignee() {
        EventRouter.Routing routing = router.route("ce3", "switchboard.ticket.assigned.v1",
                "{\"ticket_id\":\"t1\",\"ticket\":" + ticket("cust", "bob", "wat") + ",\"old_assignee_id\":null,"
                        + "\"assignee_id\":\"bob\",\"actor\":{\"id\":\"a\",\"name\":\"A\"}}");
        assertThat(rooms(routing)).containsExactlyInAnyOrder("ticket:t1 ticket_assigned", "role:agent ticket_assigned",
                "role:admin ticket_assigned", "user:cust ticket_assigned", "user:bob ticket_assigned",
                "user:wat ticket_assigned", "user:bob ticket_assigned_to_you");
        // One event id per protocol type: a client de-duplicating by event_id keeps both of bob's events.
        assertThat(routing.events().stream().map(RoomEvent::eventId).distinct()).containsExactlyInAnyOrder("ce3",
                "ce3.ticket_assigned_to_you");
    }

    @Test
    void removingAParticipantRevokesUnlessStillOneInAnotherRole() {
        EventRouter.Routing removed = router.route("ce4", "switchboard.ticket.participant_removed.v1",
                "{\"ticket_id\":\"t1\",\"ticket\":" + ticket("cust", null) + ",\"user_id\":\"wat\",\"role\":\"WATCHER\","
                        + "\"actor\":{\"id\":\"a\",\"name\":\"A\"}}");
        assertThat(removed.controls()).singleElement().asString().contains("\"op\":\"revoke\"").contains("wat");
        assertThat(rooms(removed)).containsExactly("ticket:t1 ticket_updated");
        EventRouter.Routing stillRequester = router.route("ce5", "switchboard.ticket.participant_removed.v1",
                "{\"ticket_id\":\"t1\",\"ticket\":" + ticket("cust", null) + ",\"user_id\":\"cust\",\"role\":\"WATCHER\","
                        + "\"actor\":{\"id\":\"a\",\"name\":\"A\"}}");
        assertThat(stillRequester.controls()).singleElement().asString().contains("\"op\":\"grant\"");
    }

    @Test
    void notificationsGoToTheUserWithTheFullCount() {
        EventRouter.Routing routing = router.route("ce6", "switchboard.notification.created.v1",
                "{\"user_id\":\"u1\",\"notification\":{\"id\":\"n1\"},\"unread\":4}");
        assertThat(rooms(routing)).containsExactly("user:u1 notification", "user:u1 notification_count");
        assertThat(routing.events().get(1).payloadJson()).isEqualTo("{\"unread\":4}");
    }

    @Test
    void unknownTypesAreIgnoredAndUnreadableDataRefused() {
        assertThat(router.route("ce7", "switchboard.billing.paid.v1", "{}").events()).isEmpty();
        assertThatThrownBy(() -> router.route("ce8", "switchboard.chat.message_created.v1", "[1]"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> router.route("ce9", "switchboard.chat.message_created.v1", "{\"message\":{}}"))
                .hasMessageContaining("ticket_id");
    }
}
