package dev.switchboard.ticket;

public enum Priority {
    LOW, NORMAL, HIGH, URGENT
}
