package dev.switchboard.ticket;

import static dev.switchboard.ticket.TicketApi.admin;
import static dev.switchboard.ticket.TicketApi.agent;
import static dev.switchboard.ticket.TicketApi.as;
import static dev.switchboard.ticket.TicketApi.customer;
import static dev.switchboard.ticket.TicketApi.uniqueUser;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.switchboard.testsupport.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * SPEC §2 as a table: each role against each operation, on a fresh ticket every time. A ticket the
 * caller may not see answers 404, exactly as one that does not exist.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class TicketAccessMatrixTest {
    enum Role {
        ADMIN, AGENT, REQUESTER, WATCHER, OTHER_CUSTOMER
    }

    /** A ticket with a requester and a watcher, and a token per role. */
    record Fixture(String ticketId, String requesterId, String watcherId, Map<Role, String> tokens, Map<Role, String> ids) {
        static Fixture create() {
            Map<Role, String> ids = Map.of(Role.ADMIN, uniqueUser("admin"), Role.AGENT, uniqueUser("agent"),
                    Role.REQUESTER, uniqueUser("req"), Role.WATCHER, uniqueUser("watch"),
                    Role.OTHER_CUSTOMER, uniqueUser("other"));
            Map<Role, String> tokens = Map.of(Role.ADMIN, admin(ids.get(Role.ADMIN)), Role.AGENT, agent(ids.get(Role.AGENT)),
                    Role.REQUESTER, customer(ids.get(Role.REQUESTER)), Role.WATCHER, customer(ids.get(Role.WATCHER)),
                    Role.OTHER_CUSTOMER, customer(ids.get(Role.OTHER_CUSTOMER)));
            String id = TicketApi.create(tokens.get(Role.AGENT), Map.of("title", "Matrix ticket", "requester_id",
                    ids.get(Role.REQUESTER), "watcher_ids", List.of(ids.get(Role.WATCHER)))).getString("id");
            return new Fixture(id, ids.get(Role.REQUESTER), ids.get(Role.WATCHER), tokens, ids);
        }

        String url(String suffix) {
            return "/api/v1/tickets/" + ticketId + suffix;
        }
    }

    interface Operation {
        int run(Fixture f, Role role);
    }

    private static final Map<String, Operation> OPERATIONS = Map.ofEntries(
            Map.entry("get", (f, r) -> as(f.tokens().get(r)).get(f.url("")).statusCode()),
            Map.entry("list shows it", (f, r) -> {
                JsonPath page = as(f.tokens().get(r)).queryParam("requester", f.requesterId()).get("/api/v1/tickets")
                        .then().statusCode(200).extract().jsonPath();
                return page.getList("items.id").contains(f.ticketId()) ? 200 : 404;
            }),
            Map.entry("patch title", (f, r) -> as(f.tokens().get(r)).body(Map.of("title", "Renamed", "version", 0))
                    .patch(f.url("")).statusCode()),
            Map.entry("patch priority", (f, r) -> as(f.tokens().get(r)).body(Map.of("priority", "HIGH", "version", 0))
                    .patch(f.url("")).statusCode()),
            Map.entry("status IN_PROGRESS", (f, r) -> TicketApi.changeStatus(f.tokens().get(r), f.ticketId(), "IN_PROGRESS").statusCode()),
            Map.entry("status CLOSED", (f, r) -> TicketApi.changeStatus(f.tokens().get(r), f.ticketId(), "CLOSED").statusCode()),
            Map.entry("reopen", (f, r) -> {
                TicketApi.changeStatus(f.tokens().get(Role.ADMIN), f.ticketId(), "RESOLVED").then().statusCode(200);
                return TicketApi.changeStatus(f.tokens().get(r), f.ticketId(), "OPEN").statusCode();
            }),
            Map.entry("assign", (f, r) -> TicketApi.assign(f.tokens().get(r), f.ticketId(), "agent-x").statusCode()),
            Map.entry("add other watcher", (f, r) -> TicketApi.addWatcher(f.tokens().get(r), f.ticketId(), "someone-else").statusCode()),
            Map.entry("add self as watcher", (f, r) -> TicketApi.addWatcher(f.tokens().get(r), f.ticketId(), f.ids().get(r)).statusCode()),
            Map.entry("remove the watcher", (f, r) -> as(f.tokens().get(r)).delete(f.url("/watchers/" + f.watcherId())).statusCode()),
            Map.entry("PUBLIC comment", (f, r) -> TicketApi.comment(f.tokens().get(r), f.ticketId(), "hello", "PUBLIC").statusCode()),
            Map.entry("INTERNAL comment", (f, r) -> TicketApi.comment(f.tokens().get(r), f.ticketId(), "psst", "INTERNAL").statusCode()),
            Map.entry("list comments", (f, r) -> as(f.tokens().get(r)).get(f.url("/comments")).statusCode()),
            Map.entry("activities", (f, r) -> as(f.tokens().get(r)).get(f.url("/activities")).statusCode()),
            Map.entry("requester's tickets", (f, r) -> as(f.tokens().get(r)).get("/api/v1/users/" + f.requesterId() + "/tickets").statusCode()));

    /** Expected answers for ADMIN, AGENT, REQUESTER, WATCHER, OTHER_CUSTOMER. */
    static Stream<Arguments> matrix() {
        Object[][] table = {
                {"get", 200, 200, 200, 200, 404},
                {"list shows it", 200, 200, 200, 200, 404},
                {"patch title", 200, 200, 200, 403, 404},
                {"patch priority", 200, 200, 403, 403, 404},
                {"status IN_PROGRESS", 200, 200, 403, 403, 404},
                {"status CLOSED", 200, 200, 200, 403, 404},
                {"reopen", 200, 200, 200, 403, 404},
                {"assign", 200, 200, 403, 403, 404},
                {"add other watcher", 200, 200, 403, 403, 404},
                {"add self as watcher", 200, 200, 200, 200, 404},
                {"remove the watcher", 200, 200, 403, 200, 404},
                {"PUBLIC comment", 201, 201, 201, 201, 404},
                {"INTERNAL comment", 201, 201, 403, 403, 404},
                {"list comments", 200, 200, 200, 200, 404},
                {"activities", 200, 200, 200, 200, 404},
                {"requester's tickets", 200, 200, 200, 403, 403},
        };
        List<Arguments> cases = new ArrayList<>();
        for (Object[] row : table) {
            Role[] roles = Role.values();
            for (int i = 0; i < roles.length; i++) {
                cases.add(Arguments.of(row[0], roles[i], row[i + 1]));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{1} {0} -> {2}")
    @MethodSource("matrix")
    void accessFollowsSpec(String operation, Role role, int expected) {
        Fixture fixture = Fixture.create();
        assertThat(OPERATIONS.get(operation).run(fixture, role)).as(role + " " + operation).isEqualTo(expected);
    }

    @Test
    void internalCommentsNeverReachACustomer() {
        Fixture f = Fixture.create();
        TicketApi.comment(f.tokens().get(Role.REQUESTER), f.ticketId(), "public question", "PUBLIC").then().statusCode(201);
        TicketApi.comment(f.tokens().get(Role.AGENT), f.ticketId(), "internal secret", "INTERNAL").then().statusCode(201);
        for (Role customer : List.of(Role.REQUESTER, Role.WATCHER)) {
            String token = f.tokens().get(customer);
            String comments = as(token).get(f.url("/comments")).then().statusCode(200).extract().asString();
            assertThat(comments).contains("public question").doesNotContain("internal secret").doesNotContain("INTERNAL");
            String activities = as(token).get(f.url("/activities")).then().statusCode(200).extract().asString();
            assertThat(activities).doesNotContain("INTERNAL");
            assertThat(JsonPath.from(activities).getList("action")).containsExactly("CREATED", "COMMENT_ADDED");
            assertThat(as(token).get(f.url("")).then().statusCode(200).extract().asString()).doesNotContain("internal secret");
            assertThat(as(token).queryParam("requester", f.requesterId()).get("/api/v1/tickets").then().statusCode(200)
                    .extract().asString()).doesNotContain("internal secret");
        }
        String staffView = as(f.tokens().get(Role.AGENT)).get(f.url("/comments")).then().statusCode(200).extract().asString();
        assertThat(staffView).contains("public question", "internal secret");
        assertThat(as(f.tokens().get(Role.AGENT)).get(f.url("/activities")).then().extract().jsonPath().getList("action"))
                .containsExactly("CREATED", "COMMENT_ADDED", "COMMENT_ADDED");
    }
}
