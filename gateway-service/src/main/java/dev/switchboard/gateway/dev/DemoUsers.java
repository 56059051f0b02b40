package dev.switchboard.gateway.dev;

import java.util.List;
import java.util.Optional;

/**
 * The demo users of the local run: a few in each role. Their ids are fixed, so the demo data
 * ({@code ./switchboard up} seeds it through the services' APIs) and a sign-in agree.
 */
public final class DemoUsers {
    public record DemoUser(String username, String id, String name, List<String> roles, String description) {
    }

    public static final List<DemoUser> ALL = List.of(
            new DemoUser("alice", "demo-alice", "Alice Archer", List.of("customer"),
                    "customer with open tickets and chat history"),
            new DemoUser("bob", "demo-bob", "Bob Baker", List.of("customer"), "customer, watcher on one of Alice's tickets"),
            new DemoUser("carol", "demo-carol", "Carol Chen", List.of("customer"), "customer without tickets yet"),
            new DemoUser("dana", "demo-dana", "Dana Diaz", List.of("agent"), "agent, assignee of several tickets"),
            new DemoUser("evan", "demo-evan", "Evan Ellis", List.of("agent"), "agent"),
            new DemoUser("fran", "demo-fran", "Fran Ford", List.of("admin"), "admin: every ticket, the ops API"));

    private DemoUsers() {
    }

    public static List<String> usernames() {
        return ALL.stream().map(DemoUser::username).toList();
    }

    public static Optional<DemoUser> byUsername(String username) {
        return ALL.stream().filter(u -> u.username().equals(username)).findFirst();
    }
}
