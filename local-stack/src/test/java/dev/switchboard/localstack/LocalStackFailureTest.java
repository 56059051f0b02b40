package dev.switchboard.localstack;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stack that cannot start says which server failed and why, and leaves nothing running. */
class LocalStackFailureTest {
    @TempDir
    Path stateDir;

    @Test
    void portInUseIsNamedWithTheServerThatNeedsIt() throws IOException {
        int port = StackProfile.TEST.postgresPort;
        // Either the test stack holds the port already, or this socket does.
        try (ServerSocket holder = occupyIfFree(port)) {
            StackException failure = assertThrows(StackException.class,
                    () -> new LocalStack(StackProfile.TEST, stateDir).start(false));
            assertTrue(failure.getMessage().contains("port " + port), failure.getMessage());
            assertTrue(failure.getMessage().contains("PostgreSQL"), failure.getMessage());
            assertTrue(failure.getMessage().contains("already in use"), failure.getMessage());
            assertFalse(Files.exists(stateDir.resolve("ready")));
        }
    }

    @Test
    void tooLittleDiskSpaceIsReportedBeforeAnythingStarts() {
        StackException failure = assertThrows(StackException.class,
                () -> new LocalStack(StackProfile.RUN, stateDir, Long.MAX_VALUE).start(false));
        assertTrue(failure.getMessage().contains("not enough disk space"), failure.getMessage());
        assertTrue(failure.getMessage().contains(stateDir.toAbsolutePath().toString()), failure.getMessage());
        assertFalse(Files.exists(stateDir.resolve("postgres")), "no server was started");
    }

    private static ServerSocket occupyIfFree(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException alreadyTaken) {
            // Held by the running test stack: just as good.
        }
        return socket;
    }
}
