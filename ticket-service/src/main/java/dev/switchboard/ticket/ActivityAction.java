package dev.switchboard.ticket;

public enum ActivityAction {
    CREATED, UPDATED, STATUS_CHANGED, ASSIGNED, COMMENT_ADDED, WATCHER_ADDED, WATCHER_REMOVED
}
