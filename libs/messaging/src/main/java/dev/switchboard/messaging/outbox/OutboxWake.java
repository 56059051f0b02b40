package dev.switchboard.messaging.outbox;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * How a writer wakes the outbox relay after it committed outbox rows.
 *
 * <p>By default the outbox's trigger notifies PostgreSQL's channel at each commit, and every instance's
 * relay listens on it: a hand-over through PostgreSQL's notification queue, a listening backend and the
 * service's subscriber connection for each commit. A writer whose own process runs a relay can instead
 * mark its statement {@linkplain #mode() local} (the trigger then stays silent) and call
 * {@link #committed(String)} once the statement's transaction has committed, which wakes the relay in-process.
 * Another instance's relay may hold the relay lock at that moment; the relay woken here then tries again
 * shortly (see {@link OutboxRelay}), so the rows never wait for the poll interval. Writers that do
 * neither keep the notification.
 */
@ApplicationScoped
public class OutboxWake {
    /** The statement's mark when this process wakes its own relay: the trigger does not notify. */
    public static final String LOCAL = "local";
    /** The statement's mark when it relies on the trigger's notification, as every other write does. */
    public static final String NOTIFY = "notify";

    private volatile OutboxRelay relay;

    /** Called by {@link OutboxRelayLifecycle} when this process runs a relay that writers may wake. */
    void attach(OutboxRelay relay) {
        this.relay = relay;
    }

    /** {@link #LOCAL} when a relay runs in this process, else {@link #NOTIFY}: the value for the statement's mark. */
    public String mode() {
        return relay != null ? LOCAL : NOTIFY;
    }

    /**
     * After a commit of rows written in {@link #mode()}'s mode: wakes this process's relay, if it was
     * {@link #LOCAL}. Harmless (a pass that finds nothing new) when called more often than needed.
     */
    public void committed(String mode) {
        OutboxRelay current = relay;
        if (LOCAL.equals(mode) && current != null) {
            current.wakeUp();
        }
    }
}
