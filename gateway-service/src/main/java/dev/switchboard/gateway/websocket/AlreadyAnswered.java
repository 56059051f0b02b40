package dev.switchboard.gateway.websocket;

/** The request has had its error already (and the socket may be closing): nothing more to send. */
public final class AlreadyAnswered extends RuntimeException {
    public AlreadyAnswered() {
        super(null, null, false, false);
    }
}
