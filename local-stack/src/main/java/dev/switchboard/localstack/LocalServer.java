package dev.switchboard.localstack;

import java.time.Instant;

/** A server the local stack starts, waits for, provisions and stops. */
public interface LocalServer {
    String name();


    void start();

    /** Returns once the server really answers; fails with its log when it dies or the deadline passes. */
    void awaitReady(Instant deadline);

    /** Creates what the services need (databases, topics); runs after {@link #awaitReady}. */
    default void provision() {
    }

    void stop();

    /** Kills the server with SIGKILL, as a crash; {@link #start} brings it back on the same data. */
    void kill();

    /** SIGSTOP ({@code "STOP"}) or SIGCONT ({@code "CONT"}) to the server's processes: a hang, and its end. */
    void signal(String signal);

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while waiting for servers", e);
        }
    }
}
