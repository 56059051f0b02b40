package dev.switchboard.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/** Writes {@code watchdog.sh}, the wrapper that stops a server when the JVM that started it is gone. */
final class Watchdog {
    private Watchdog() {
    }

    static Path install(Path dir) {
        Path target = dir.resolve("watchdog.sh");
        try (InputStream in = Watchdog.class.getResourceAsStream("watchdog.sh")) {
            if (in == null) {
                throw new StackException("watchdog.sh is missing from the local-stack jar");
            }
            ServerProcess.copy(in, target);
            return target;
        } catch (IOException e) {
            throw new StackException("cannot write " + target + ": " + e.getMessage() + " (is the disk full?)", e);
        }
    }
}
