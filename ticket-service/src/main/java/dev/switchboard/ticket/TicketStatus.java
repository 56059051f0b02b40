package dev.switchboard.ticket;

import java.util.EnumSet;
import java.util.Set;

/**
 * The ticket life cycle. Work moves forward from OPEN; RESOLVED and CLOSED tickets can be reopened
 * (back to OPEN). A change to the same status is not a transition.
 *
 * <pre>
 * OPEN                -> IN_PROGRESS, WAITING_ON_CUSTOMER, RESOLVED, CLOSED
 * IN_PROGRESS         -> OPEN, WAITING_ON_CUSTOMER, RESOLVED, CLOSED
 * WAITING_ON_CUSTOMER -> OPEN, IN_PROGRESS, RESOLVED, CLOSED
 * RESOLVED            -> OPEN (reopen), CLOSED
 * CLOSED              -> OPEN (reopen)
 * </pre>
 */
public enum TicketStatus {
    OPEN, IN_PROGRESS, WAITING_ON_CUSTOMER, RESOLVED, CLOSED;

    public Set<TicketStatus> next() {
        return switch (this) {
            case OPEN -> EnumSet.of(IN_PROGRESS, WAITING_ON_CUSTOMER, RESOLVED, CLOSED);
            case IN_PROGRESS -> EnumSet.of(OPEN, WAITING_ON_CUSTOMER, RESOLVED, CLOSED);
            case WAITING_ON_CUSTOMER -> EnumSet.of(OPEN, IN_PROGRESS, RESOLVED, CLOSED);
            case RESOLVED -> EnumSet.of(OPEN, CLOSED);
            case CLOSED -> EnumSet.of(OPEN);
        };
    }

    public boolean canMoveTo(TicketStatus target) {
        return next().contains(target);
    }

    /** Reopening: from RESOLVED or CLOSED back to OPEN. */
    public boolean isReopenTo(TicketStatus target) {
        return (this == RESOLVED || this == CLOSED) && target == OPEN;
    }
}
