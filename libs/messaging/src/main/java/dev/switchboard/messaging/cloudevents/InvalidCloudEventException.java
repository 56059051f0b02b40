package dev.switchboard.messaging.cloudevents;

/** A record that is not a valid CloudEvent: it cannot be processed and belongs in the dead-letter topic. */
public class InvalidCloudEventException extends RuntimeException {
    public InvalidCloudEventException(String message) {
        super(message);
    }
}
