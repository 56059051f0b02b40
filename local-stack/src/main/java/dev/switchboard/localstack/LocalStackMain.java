package dev.switchboard.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;

/**
 * Command line of the local stack.
 *
 * <pre>
 * java -jar local-stack/target/local-stack.jar [--profile run|test] [--state-dir DIR] [--clean] [--exit-on-stdin-eof]
 * </pre>
 *
 * Prints {@code local-stack ready} once every server answers and stops them all on Ctrl-C, on
 * SIGTERM, or (with {@code --exit-on-stdin-eof}) when its parent closes its stdin.
 */
public final class LocalStackMain {
    public static final String READY_LINE = "local-stack ready";

    private LocalStackMain() {
    }

    public static void main(String[] args) {
        StackProfile profile = StackProfile.RUN;
        Path stateDir = null;
        boolean clean = false;
        boolean exitOnStdinEof = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--profile" -> profile = StackProfile.parse(args[++i]);
                case "--state-dir" -> stateDir = Paths.get(args[++i]);
                case "--clean" -> clean = true;
                case "--exit-on-stdin-eof" -> exitOnStdinEof = true;
                default -> {
                    System.err.println("unknown argument: " + args[i]);
                    System.err.println("usage: local-stack [--profile run|test] [--state-dir DIR] [--clean]"
                            + " [--exit-on-stdin-eof]");
                    System.exit(2);
                }
            }
        }
        if (stateDir == null) {
            stateDir = Paths.get(".switchboard", profile.name().toLowerCase());
        }
        // Logging is set up here, on one thread: the servers are awaited in parallel and two threads
        // initialising java.util.logging at once can deadlock when a test class path is inherited.
        java.util.logging.LogManager.getLogManager();
        org.slf4j.LoggerFactory.getLogger(LocalStackMain.class);
        LocalStack stack = new LocalStack(profile, stateDir);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("[local-stack] stopping");
            stack.close();
            stopped.countDown();
        }, "local-stack-shutdown"));
        if (exitOnStdinEof) {
            // Watched from the start, so the stack stops with its parent even while it is starting.
            Thread watcher = new Thread(() -> {
                drain(System.in);
                System.exit(0);
            }, "local-stack-stdin");
            watcher.setDaemon(true);
            watcher.start();
        }
        try {
            stack.start(clean);
        } catch (StackException e) {
            System.err.println("[local-stack] FAILED: " + e.getMessage());
            System.exit(1);
        }
        StackControl.start(stack, profile.controlPort);
        for (String line : stack.describe().split("\n")) {
            System.out.println("[local-stack]   " + line);
        }
        System.out.println("[local-stack] " + READY_LINE);
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void drain(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // Only the end of the stream matters.
            }
        } catch (IOException ignored) {
            // A broken pipe means the parent is gone, the same as end of file.
        }
    }
}
