package dev.switchboard.messaging.outbox;

/** A relay pass that could not publish every row it read; the rows not acknowledged stay in the outbox. */
public class OutboxRelayException extends RuntimeException {
    public OutboxRelayException(String message, Throwable cause) {
        super(message, cause);
    }
}
