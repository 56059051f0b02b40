package dev.switchboard.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A packaged Switchboard service ({@code <module>/target/quarkus-app/quarkus-run.jar}) running in
 * its own JVM against the test stack, for tests that need several services or several instances of
 * one, and that must be able to kill one. It runs under local-stack's watchdog, so it stops when
 * the test JVM goes away, however that happens.
 */
public final class ServiceProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final String name;
    private final int port;
    private final Process watchdog;
    private final Path log;

    private ServiceProcess(String name, int port, Process watchdog, Path log) {
        this.name = name;
        this.port = port;
        this.watchdog = watchdog;
        this.log = log;
    }

    /** The packaged service of module {@code module}, looked for beside the current module. */
    public static Path jarOf(String module) {
        for (Path base : List.of(Paths.get(".."), Paths.get("."), Paths.get("../.."))) {
            Path jar = base.resolve(module).resolve("target/quarkus-app/quarkus-run.jar").toAbsolutePath().normalize();
            if (Files.exists(jar)) {
                return jar;
            }
        }
        throw new IllegalStateException(module + " is not packaged: run ./mvnw package -DskipTests first "
                + "(./switchboard test and ./mvnw verify do)");
    }

    /**
     * Starts the service with the test profile on a free port (or {@code quarkus.http.port} from
     * {@code properties}, e.g. to start an instance again where it was), the test JWT public key and
     * {@code properties}, and waits until {@code /q/health/ready} answers 200.
     */
    public static ServiceProcess start(String name, Path jar, Map<String, String> properties) {
        Map<String, String> withQuickStop = new LinkedHashMap<>(QUICK_STOP);
        withQuickStop.putAll(properties);
        return start(name, jar, withQuickStop, TEST_JVM);
    }

    /**
     * A service under test polls Kafka with a 250 ms timeout instead of 1 s. On SIGTERM the connector sleeps twice
     * the poll timeout for each channel, one after another: a gateway stops 6 s sooner, which adds up over the
     * suite. Production keeps the default: in the chat benchmark (2 runs each, interleaved) the shorter timeout
     * looked a little costlier in Kafka's and the gateway's CPU per message.
     */
    private static final Map<String, String> QUICK_STOP = Map.of("mp.messaging.connector.smallrye-kafka.poll-timeout",
            "250");

    /** The JVM options of a service under test: small and quick to start (C1 only, serial GC). */
    public static final List<String> TEST_JVM = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /** As {@link #start(String, Path, Map)} with these JVM options instead (a benchmark wants C2 and more heap). */
    public static ServiceProcess start(String name, Path jar, Map<String, String> properties, List<String> jvmOptions) {
        TestStack.ensureRunning();
        int port = properties.containsKey("quarkus.http.port") ? Integer.parseInt(properties.get("quarkus.http.port"))
                : freePort();
        Path dir = Paths.get("target", "services").toAbsolutePath();
        try {
            prepare(dir);
            Path key = dir.resolve("jwt-public.pem");
            Path watchdogScript = dir.resolve("watchdog.sh");
            Path log = dir.resolve(name + ".log");
            List<String> command = new ArrayList<>(List.of("bash", watchdogScript.toString(),
                    Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(jvmOptions);
            command.addAll(List.of("-Dquarkus.profile=test",
                    "-Dquarkus.http.port=" + port,
                    "-Dmp.jwt.verify.publickey.location=file:" + key,
                    "-Dmp.jwt.verify.issuer=" + TestJwt.ISSUER,
                    "-Dquarkus.log.file.enabled=false"));
            properties.forEach((k, v) -> {
                if (!k.equals("quarkus.http.port")) {
                    command.add("-D" + k + "=" + v);
                }
            });
            command.add("-jar");
            command.add(jar.toString());
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
            ServiceProcess service = new ServiceProcess(name, port, process, log);
            Runtime.getRuntime().addShutdownHook(new Thread(service::close, "stop-" + name));
            service.awaitReady();
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts these modules' services side by side ({@link #startTogether}), each named after its module, with the
     * same extra settings; returns them in the same order once every one is ready.
     */
    public static List<ServiceProcess> startModules(Map<String, String> properties, String... modules) {
        List<Supplier<ServiceProcess>> starts = new ArrayList<>();
        for (String module : modules) {
            starts.add(() -> start(module, jarOf(module), properties));
        }
        return startTogether(starts);
    }

    private static final Set<Path> PREPARED = new HashSet<>();

    /**
     * Writes the public key and the watchdog script into {@code dir}, once per test JVM: services started side by
     * side must not find a file half rewritten by another's start.
     */
    private static synchronized void prepare(Path dir) throws IOException {
        if (!PREPARED.add(dir)) {
            return;
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("jwt-public.pem"), TestJwt.publicKeyPem());
        try (InputStream in = ServiceProcess.class.getResourceAsStream("/dev/switchboard/localstack/watchdog.sh")) {
            Files.copy(in, dir.resolve("watchdog.sh"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Runs these starts side by side and returns the services in the same order once every one is ready. Much of a
     * service's start-up is waiting (for PostgreSQL, Kafka's group, Redis), so services that do not need each other
     * start sooner together than one after the other. A start that fails fails the whole, with its own exception.
     */
    @SafeVarargs
    public static List<ServiceProcess> startTogether(Supplier<ServiceProcess>... starts) {
        return startTogether(List.of(starts));
    }

    /** As {@link #startTogether(Supplier...)}, for a list of starts. */
    public static List<ServiceProcess> startTogether(List<Supplier<ServiceProcess>> starts) {
        ExecutorService threads = Executors.newFixedThreadPool(starts.size(), r -> {
            Thread t = new Thread(r, "service-start");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<ServiceProcess>> futures = new ArrayList<>();
            for (Supplier<ServiceProcess> start : starts) {
                futures.add(threads.submit(start::get));
            }
            List<ServiceProcess> started = new ArrayList<>();
            for (Future<ServiceProcess> future : futures) {
                started.add(future.get());
            }
            return started;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while services were starting", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            threads.shutdown();
        }
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String httpUrl() {
        return "http://127.0.0.1:" + port;
    }

    public String wsUrl() {
        return "ws://127.0.0.1:" + port + "/ws";
    }

    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGKILL: the JVM dies at once, without closing a socket or running a shutdown hook. */
    public void kill() {
        jvm().ifPresent(ProcessHandle::destroyForcibly);
        waitGone();
    }

    /** SIGTERM, then wait for a clean exit. */
    @Override
    public void close() {
        if (watchdog.isAlive()) {
            jvm().ifPresent(ProcessHandle::destroy);
            waitGone();
            watchdog.destroy();
        }
    }

    private void waitGone() {
        try {
            watchdog.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The service's JVM process id (for CPU and memory figures from /proc), or -1 once it is gone. */
    public long pid() {
        return jvm().map(ProcessHandle::pid).orElse(-1L);
    }

    private Optional<ProcessHandle> jvm() {
        return watchdog.toHandle().children().findFirst();
    }

    private void awaitReady() {
        HttpRequest ready = HttpRequest.newBuilder(URI.create(httpUrl() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        try {
            org.awaitility.Awaitility.await(name + " ready").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!watchdog.isAlive()) {
                            throw new IllegalStateException(name + " exited during start-up:\n" + tail());
                        }
                        try {
                            return HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                        } catch (IOException e) {
                            return false; // not listening yet
                        }
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            close();
            throw new IllegalStateException(name + " was not ready within " + START_TIMEOUT.toSeconds() + " s:\n"
                    + tail(), e);
        }
    }

    private String tail() {
        String text = logText();
        return text.length() > 6000 ? text.substring(text.length() - 6000) : text;
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
