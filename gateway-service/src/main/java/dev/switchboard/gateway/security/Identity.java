package dev.switchboard.gateway.security;

import java.time.Instant;
import java.util.Set;

/**
 * Who is on a connection, from a verified JWT. The raw token is kept because the gateway calls the
 * services with the user's own token.
 */
public record Identity(String userId, String name, Set<String> roles, Instant expiresAt, String token) {
    public static final Set<String> KNOWN_ROLES = Set.of("admin", "agent", "customer");

    /** Agents and admins see every ticket and its internal comments (SPEC §2). */
    public boolean isStaff() {
        return roles.contains("admin") || roles.contains("agent");
    }

    /** The roles that have a room ({@code role:admin}, {@code role:agent}, {@code role:customer}). */
    public Set<String> roomRoles() {
        return roles.stream().filter(KNOWN_ROLES::contains).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    public String bearer() {
        return "Bearer " + token;
    }
}
