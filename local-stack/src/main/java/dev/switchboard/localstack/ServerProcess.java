package dev.switchboard.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One server process started under {@code watchdog.sh}. The watchdog holds the read end of a pipe
 * whose write end only this JVM has: when the JVM exits for any reason the pipe closes and the
 * watchdog stops the server.
 */
final class ServerProcess {
    private final String name;
    private final Path logFile;
    private final Process process;
    private final OutputStream lifeline;

    private ServerProcess(String name, Path logFile, Process process) {
        this.name = name;
        this.logFile = logFile;
        this.process = process;
        this.lifeline = process.getOutputStream();
    }

    static ServerProcess start(String name, Path watchdog, List<String> command, Path workDir, Path logFile,
            Map<String, String> env) {
        List<String> full = new ArrayList<>();
        full.add("bash");
        full.add(watchdog.toString());
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().putAll(env);
        try {
            return new ServerProcess(name, logFile, builder.start());
        } catch (IOException e) {
            throw new StackException("could not start " + name + ": " + e.getMessage(), e);
        }
    }

    /** Runs a command to completion (initdb, format) and fails with its output when it fails. */
    static void runToCompletion(String what, List<String> command, Path workDir, Path logFile, long timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            p.getOutputStream().close();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new StackException(what + " did not finish within " + timeoutSeconds + " s; see " + logFile);
            }
            if (p.exitValue() != 0) {
                throw new StackException(what + " failed (exit " + p.exitValue() + "):\n" + tail(logFile, 15));
            }
        } catch (IOException e) {
            throw new StackException(what + " could not run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException(what + " was interrupted", e);
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Fails with the end of the server's log when it has died. */
    void checkAlive() {
        if (!process.isAlive()) {
            throw new StackException(name + " exited (status " + process.exitValue() + ") during start-up. End of "
                    + logFile + ":\n" + tail(logFile, 20));
        }
    }

    Path logFile() {
        return logFile;
    }

    /**
     * SIGKILL to the server (and its children), as a crash: nothing is flushed, nothing is shut down.
     * Returns once every one of them is gone: a server started again while the killed one is still
     * exiting would find its lock (PostgreSQL's postmaster.pid) held by a live process and refuse to start.
     */
    void kill() {
        List<ProcessHandle> servers = process.descendants().toList();
        servers.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            for (ProcessHandle server : servers) {
                server.onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new StackException(name + " did not exit within 10 s of SIGKILL", e);
        }
    }

    /**
     * Sends {@code signal} (STOP or CONT) to the server and its children, not to the watchdog: with
     * STOP the server hangs as a frozen process does, its sockets open and unanswered, until CONT.
     */
    void signal(String signal) {
        for (ProcessHandle server : process.descendants().toList()) {
            try {
                Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(server.pid()))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                kill.waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                throw new StackException("kill -" + signal + " " + server.pid() + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackException("interrupted while signalling " + name, e);
            }
        }
    }

    void stop(long timeoutSeconds) {
        try {
            lifeline.close();
        } catch (IOException ignored) {
            // The watchdog sees the same end of file either way.
        }
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "  (no log written)";
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            StringBuilder out = new StringBuilder();
            for (String line : all.subList(Math.max(0, all.size() - lines), all.size())) {
                out.append("  | ").append(line).append('\n');
            }
            return out.toString();
        } catch (IOException e) {
            return "  (log unreadable: " + e.getMessage() + ")";
        }
    }

    static void copy(InputStream in, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
