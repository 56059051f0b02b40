package dev.switchboard.ticket;

/** INTERNAL comments (and their activity) are for agents and admins only, on every channel. */
public enum Visibility {
    PUBLIC, INTERNAL
}
