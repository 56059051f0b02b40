package dev.switchboard.gateway.websocket;

/** The {@code code} of an {@code error} frame; README's protocol table lists when each is sent. */
public enum ErrorCode {
    /** The frame is not a JSON object. */
    INVALID_JSON,
    /** {@code type} names no request. */
    UNKNOWN_TYPE,
    /** A field is missing or has the wrong type; the message names it. */
    INVALID_PAYLOAD,
    /** Binary frames carry nothing in this protocol. */
    BINARY_NOT_SUPPORTED,
    /** No valid token yet, or the token expired or was refused. */
    UNAUTHENTICATED,
    /** The ticket does not exist or the user may not see it (the two are not told apart). */
    FORBIDDEN,
    /** Something other than a ticket was not found (a notification, a message). */
    NOT_FOUND,
    /** The service refused the request as invalid (e.g. text over the limit); its reason is the message. */
    INVALID_REQUEST,
    /** The request conflicts with the current state (e.g. an illegal status change). */
    CONFLICT,
    /** Too many requests; slow down. */
    RATE_LIMITED,
    /** The user already has the most connections allowed (the new one is closed with 1008). */
    TOO_MANY_CONNECTIONS,
    /** A service the request needs is down or too slow; try again later. */
    UNAVAILABLE,
    /** A bug on our side; the request was not carried out. */
    INTERNAL
}
