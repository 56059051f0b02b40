package dev.switchboard.localstack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Brings up PostgreSQL, Redis and Kafka for one {@link StackProfile}, with all state under one
 * directory, and stops everything it started. Servers start in parallel; the stack is ready once
 * each one really answers and the databases and topics exist.
 */
public final class LocalStack implements AutoCloseable {
    static final long MIN_FREE_DISK_BYTES = 512L * 1024 * 1024;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final StackProfile profile;
    private final Path stateDir;
    private final Binaries binaries;
    private final long minFreeDiskBytes;
    private final List<LocalServer> started = new java.util.concurrent.CopyOnWriteArrayList<>();

    public LocalStack(StackProfile profile, Path stateDir) {
        this(profile, stateDir, MIN_FREE_DISK_BYTES);
    }

    LocalStack(StackProfile profile, Path stateDir, long minFreeDiskBytes) {
        this.profile = profile;
        this.stateDir = stateDir.toAbsolutePath().normalize();
        this.binaries = new Binaries(Binaries.defaultCacheDir());
        this.minFreeDiskBytes = minFreeDiskBytes;
    }

    /** Starts every server, or fails with a message that says which one and why; nothing is left running then. */
    public synchronized void start(boolean clean) {
        createStateDir();
        checkDiskSpace();
        // Before --clean: a stack that is already running must never have its state wiped.
        checkPortFree("PostgreSQL", profile.postgresPort);
        checkPortFree("Redis", profile.redisPort);
        checkPortFree("Kafka", profile.kafkaPort);
        checkPortFree("Kafka (controller)", profile.kafkaControllerPort);
        checkPortFree("the stack's control port", profile.controlPort);
        if (clean) {
            Binaries.deleteTree(stateDir);
            createStateDir();
        }
        Path watchdog = Watchdog.install(stateDir);
        List<LocalServer> servers = List.of(
                new PostgresServer(profile, binaries.postgresBinDir(), stateDir.resolve("postgres"), watchdog),
                new RedisServer(profile, binaries.redisServer(), stateDir.resolve("redis"), watchdog),
                new KafkaBroker(profile, stateDir.resolve("kafka"), watchdog));
        JwtKeyFiles.ensure(stateDir.resolve("keys"));
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        try {
            for (LocalServer server : servers) {
                started.add(server);
                server.start();
            }
            List<CompletableFuture<Void>> ready = servers.stream()
                    .map(s -> CompletableFuture.runAsync(() -> {
                        s.awaitReady(deadline);
                        s.provision();
                    }))
                    .toList();
            try {
                CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            Files.writeString(stateDir.resolve("ready"), describe(), StandardCharsets.UTF_8);
        } catch (RuntimeException | IOException e) {
            close();
            throw e instanceof StackException s ? s : new StackException(e.getMessage(), e);
        }
    }

    public String describe() {
        return String.join("\n",
                "profile=" + profile.name().toLowerCase(),
                "postgres=127.0.0.1:" + profile.postgresPort + " (user " + StackProfile.DB_USER
                        + ", databases " + String.join(", ", StackProfile.DATABASES) + ")",
                "redis=127.0.0.1:" + profile.redisPort,
                "kafka=" + profile.kafkaBootstrap(),
                "control=http://127.0.0.1:" + profile.controlPort + "/servers/{postgres|redis|kafka}/{kill|start|pause|resume}",
                "jwt-public-key=" + stateDir.resolve("keys").resolve(JwtKeyFiles.PUBLIC_KEY),
                "state=" + stateDir,
                "");
    }

    /**
     * Kills ({@code kill}: SIGKILL, as a crash), starts again ({@code start}: returns once it
     * answers), pauses ({@code pause}: SIGSTOP, a hang) or resumes ({@code resume}: SIGCONT) one server: {@code postgres}, {@code redis} or {@code kafka}. For fault tests.
     */
    public synchronized void control(String server, String action) {
        LocalServer target = started.stream().filter(s -> s.name().toLowerCase().startsWith(server)).findFirst()
                .orElseThrow(() -> new StackException("no server " + server + " (postgres, redis, kafka)"));
        switch (action) {
            case "kill" -> target.kill();
            case "pause" -> target.signal("STOP");
            case "resume" -> target.signal("CONT");
            case "start" -> {
                target.start();
                target.awaitReady(Instant.now().plus(START_TIMEOUT));
            }
            default -> throw new StackException("unknown action " + action + " (kill, start, pause, resume)");
        }
    }

    /** True when every server of the profile answers; used to reuse a stack started by someone else. */
    public static boolean isRunning(StackProfile profile) {
        return RedisServer.ping(profile.redisPort) && portAnswers(profile.postgresPort) && portAnswers(profile.kafkaPort);
    }

    private static boolean portAnswers(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops what has been started; safe to call from a shutdown hook while {@link #start} is still running. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(stateDir.resolve("ready"));
        } catch (IOException ignored) {
            // The marker only helps scripts; a stale one is overwritten on the next start.
        }
        List<LocalServer> servers = new ArrayList<>(started);
        started.clear();
        for (int i = servers.size() - 1; i >= 0; i--) {
            servers.get(i).stop();
        }
    }

    private void createStateDir() {
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new StackException("cannot create the state directory " + stateDir + ": " + e.getMessage(), e);
        }
    }

    private void checkDiskSpace() {
        try {
            long free = Files.getFileStore(stateDir).getUsableSpace();
            if (free < minFreeDiskBytes) {
                throw new StackException("not enough disk space for the local stack in " + stateDir + ": "
                        + free / (1024 * 1024) + " MB free, " + minFreeDiskBytes / (1024 * 1024)
                        + " MB needed. Free some space or set the state directory elsewhere (--state-dir).");
            }
        } catch (IOException e) {
            throw new StackException("cannot read the free space of " + stateDir + ": " + e.getMessage(), e);
        }
    }

    private static void checkPortFree(String server, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // as the servers do: only a listener makes the port busy
            socket.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new StackException("port " + port + " that " + server + " needs is already in use. Is another local"
                    + " stack running (./switchboard stop), or another program on that port (ss -ltnp | grep "
                    + port + ")?");
        }
    }
}
