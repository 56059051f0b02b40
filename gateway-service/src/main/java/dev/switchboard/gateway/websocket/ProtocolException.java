package dev.switchboard.gateway.websocket;

/** A request that cannot be carried out; becomes an {@code error {code, message}} frame. */
public class ProtocolException extends RuntimeException {
    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static ProtocolException invalid(String message) {
        return new ProtocolException(ErrorCode.INVALID_PAYLOAD, message);
    }

    public static ProtocolException forbidden() {
        return new ProtocolException(ErrorCode.FORBIDDEN, "no such ticket, or you may not see it");
    }
}
