package dev.switchboard.ticket;

public enum ParticipantRole {
    REQUESTER, ASSIGNEE, WATCHER
}
