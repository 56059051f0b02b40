package dev.switchboard.chat;

/** SYSTEM messages are written by the service itself (status and assignment changes). */
public enum MessageType {
    TEXT, FILE, IMAGE, SYSTEM
}
