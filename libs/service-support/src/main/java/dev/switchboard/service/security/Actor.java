package dev.switchboard.service.security;

import java.util.Set;

/**
 * Who is acting, from the verified JWT: {@code sub}, display name and roles ({@code groups}).
 * Only {@code admin} and {@code agent} grant anything beyond a participant's rights (SPEC §2).
 */
public record Actor(String id, String name, Set<String> roles) {
    public static final String ADMIN = "admin";
    public static final String AGENT = "agent";

    /** Agents and admins see every ticket, assign, change any status and write INTERNAL comments. */
    public boolean isStaff() {
        return roles.contains(ADMIN) || roles.contains(AGENT);
    }
}
