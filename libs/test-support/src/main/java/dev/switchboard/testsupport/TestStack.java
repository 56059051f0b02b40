package dev.switchboard.testsupport;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.switchboard.localstack.LocalStack;
import dev.switchboard.localstack.LocalStackMain;
import dev.switchboard.localstack.StackProfile;

/**
 * The local stack the tests run against (profile {@code test}). {@code ./switchboard test} starts it
 * once for the whole build; when a single module's tests run alone and no stack answers, the first
 * test starts one in a child JVM, which stops when this JVM exits.
 */
public final class TestStack {
    public static final StackProfile PROFILE = StackProfile.TEST;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(150);
    private static Process process;

    private TestStack() {
    }

    /**
     * Kills ({@code kill}, SIGKILL), starts again ({@code start}, returns once ready), pauses
     * ({@code pause}, SIGSTOP) or resumes ({@code resume}, SIGCONT) one of the test stack's servers:
     * {@code postgres}, {@code redis} or {@code kafka}. For fault tests.
     */
    public static void control(String server, String action) {
        try {
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + PROFILE.controlPort
                            + "/servers/" + server + "/" + action)).timeout(Duration.ofSeconds(150))
                            .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(server + " " + action + ": " + response.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException("the test stack's control port does not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static synchronized void ensureRunning() {
        if (process != null && process.isAlive() || LocalStack.isRunning(PROFILE)) {
            return;
        }
        Path stateDir = Paths.get("target", "local-stack").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", absoluteClassPath(),
                LocalStackMain.class.getName(),
                "--profile", "test", "--state-dir", stateDir.toString(), "--clean", "--exit-on-stdin-eof"));
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start the local stack: " + e.getMessage(), e);
        }
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                started.getOutputStream().close();
                started.waitFor(40, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException ignored) {
                started.destroy();
            }
        }, "test-stack-stop"));
        awaitReady(started);
    }

    private static void awaitReady(Process started) {
        StringBuilder output = new StringBuilder();
        CompletableFuture<Boolean> ready = CompletableFuture.supplyAsync(() -> {
            // Not closed here: once ready, a drain thread goes on reading the same stream.
            BufferedReader reader = new BufferedReader(
                    new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8));
            try {
                String line;
                while ((line = reader.readLine()) != null) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    if (line.contains(LocalStackMain.READY_LINE)) {
                        drainInBackground(reader);
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        });
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        try {
            if (!ready.get(Duration.between(Instant.now(), deadline).toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the local stack did not start:\n" + output);
            }
        } catch (Exception e) {
            if (e instanceof IllegalStateException ise) {
                throw ise;
            }
            started.destroy();
            throw new IllegalStateException("the local stack was not ready within " + START_TIMEOUT.toSeconds()
                    + " s:\n" + output, e);
        }
    }

    private static void drainInBackground(BufferedReader reader) {
        Thread drain = new Thread(() -> {
            try {
                while (reader.readLine() != null) {
                    // Keep the pipe from filling; the stack logs its servers to files of their own.
                }
            } catch (IOException ignored) {
                // The stack has gone away.
            }
        }, "test-stack-output");
        drain.setDaemon(true);
        drain.start();
    }

    private static String absoluteClassPath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            entries.add(Paths.get(entry).toAbsolutePath().toString());
        }
        return String.join(File.pathSeparator, entries);
    }
}
