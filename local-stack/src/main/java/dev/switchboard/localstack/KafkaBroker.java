package dev.switchboard.localstack;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A single-node KRaft Kafka (broker and controller in one JVM of its own), started by {@link KafkaMain}.
 * Public so that fault tests can run a broker of their own and stop and restart it.
 */
public final class KafkaBroker implements LocalServer {
    static final int PARTITIONS = 3;

    private final int port;
    private final int controllerPort;
    private final Path home;
    private final Path watchdog;
    private ServerProcess process;

    KafkaBroker(StackProfile profile, Path home, Path watchdog) {
        this(profile.kafkaPort, profile.kafkaControllerPort, home, watchdog);
    }

    /** A broker on the given ports with its data under {@code home}; restarting it keeps its data. */
    public KafkaBroker(int port, int controllerPort, Path home) {
        this(port, controllerPort, home, Watchdog.install(home));
    }

    private KafkaBroker(int port, int controllerPort, Path home, Path watchdog) {
        this.port = port;
        this.controllerPort = controllerPort;
        this.home = home;
        this.watchdog = watchdog;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    @Override
    public String name() {
        return "Kafka";
    }


    @Override
    public void start() {
        Path config = home.resolve("server.properties");
        Path log4j = home.resolve("log4j2.properties");
        try {
            Files.createDirectories(home.resolve("data"));
            Files.writeString(config, serverProperties(), StandardCharsets.UTF_8);
            Files.writeString(log4j, String.join("\n",
                    "rootLogger.level = WARN",
                    "rootLogger.appenderRef.stdout.ref = STDOUT",
                    "appender.stdout.type = Console",
                    "appender.stdout.name = STDOUT",
                    "appender.stdout.layout.type = PatternLayout",
                    "appender.stdout.layout.pattern = %d{ISO8601} %p %c{1} - %m%n",
                    "logger.kafka.name = kafka",
                    "logger.kafka.level = INFO",
                    ""), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StackException("cannot write Kafka's configuration under " + home + ": " + e.getMessage(), e);
        }
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m"));
        // C1 only starts quicker, which the tests want; a benchmark measures what a broker with C2 costs
        // (./switchboard bench sets SWITCHBOARD_STACK_FULL_JIT=true): at C1 it was a quarter of a core at 50 chat msg/s.
        // A benchmark's broker also gets a fixed 256 MiB young generation and the parallel GC: with the tests'
        // serial GC its young pauses, which every event waits out, took 20-33 ms every 5 s at 1,000 chat msg/s;
        // G1 with Kafka's own settings 10-40 ms, several in a row; this mostly 5-11 ms every 6 s. They are
        // logged to gc.log beside kafka.log.
        if (Boolean.parseBoolean(System.getenv("SWITCHBOARD_STACK_FULL_JIT"))) {
            command.addAll(List.of("-Xms512m", "-Xmn256m", "-XX:+UseParallelGC",
                    "-Xlog:gc:file=" + home.resolve("gc.log") + ":time,uptime"));
        } else {
            command.addAll(List.of("-Xms128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        }
        command.addAll(List.of("-Dlog4j2.configurationFile=" + log4j, "-cp", absoluteClassPath(),
                KafkaMain.class.getName(), config.toString()));
        process = ServerProcess.start(name(), watchdog, command, home, home.resolve("kafka.log"), Map.of());
    }

    /**
     * This JVM's class path for the broker, every entry absolute (the child runs in Kafka's own directory),
     * without Quarkus' and the JBoss LogManager's jars ({@link #brokerClassPathEntry}). A jar's manifest
     * {@code Class-Path} (a benchmark runs as {@code java -jar load-tests.jar}) is read here as the JVM would
     * read it, so that those jars can be left out of it too.
     */
    private static String absoluteClassPath() {
        return brokerClassPath(System.getProperty("java.class.path"));
    }

    static String brokerClassPath(String classPath) {
        Set<Path> seen = new HashSet<>();
        Set<String> entries = new LinkedHashSet<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            addEntry(Paths.get(entry).toAbsolutePath().normalize(), seen, entries);
        }
        return String.join(File.pathSeparator, entries);
    }

    /**
     * The entry, then the jars its manifest names. A jar whose manifest names a jar left out is replaced by
     * what its manifest names (the JVM would otherwise read that list again from the jar); its own classes are
     * not the broker's.
     */
    private static void addEntry(Path entry, Set<Path> seen, Set<String> into) {
        if (!seen.add(entry) || !brokerClassPathEntry(entry)) {
            return;
        }
        List<Path> named = manifestClassPath(entry);
        if (named.stream().allMatch(KafkaBroker::brokerClassPathEntry)) {
            into.add(entry.toString());
        }
        named.forEach(p -> addEntry(p, seen, into));
    }

    private static List<Path> manifestClassPath(Path entry) {
        if (!Files.isRegularFile(entry) || !entry.toString().endsWith(".jar")) {
            return List.of();
        }
        try (JarFile jar = new JarFile(entry.toFile())) {
            Manifest manifest = jar.getManifest();
            String classPath = manifest == null ? null
                    : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (classPath == null || classPath.isBlank()) {
                return List.of();
            }
            // URLs, relative to the jar's own (surefire's booter jar names absolute file: URLs)
            return Arrays.stream(classPath.trim().split("\\s+"))
                    .map(name -> entry.toUri().resolve(name))
                    .filter(uri -> "file".equals(uri.getScheme()))
                    .map(uri -> Paths.get(uri).normalize())
                    .filter(Files::exists)
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Whether a class path entry goes to the broker: not Quarkus' jars, nor the JBoss LogManager and its SLF4J
     * binding. Started from a JVM that has them (a benchmark, a Quarkus test), the broker logged through them,
     * and Quarkus' start-up log configuration (quarkus-bootstrap-runner's InitialConfigurator) turns every level
     * on until an application configures logging, which a broker never does: Kafka formatted and queued a TRACE
     * line for every request, 7 MB of garbage a second at 50 events a second, and young pauses of up to 140 ms.
     * Without them the broker logs through SLF4J's simple logger where the starting JVM has it
     * (local-stack.jar's simplelogger.properties: warnings), or not at all.
     */
    private static boolean brokerClassPathEntry(Path entry) {
        Path file = entry.getFileName();
        String name = file == null ? entry.toString() : file.toString();
        return !(name.startsWith("quarkus-") || name.startsWith("jboss-logmanager-")
                || name.startsWith("slf4j-jboss-logmanager-"));
    }

    private String serverProperties() {
        String controller = "127.0.0.1:" + controllerPort;
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://" + controller,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.quorum.bootstrap.servers=" + controller,
                "log.dirs=" + home.resolve("data"),
                "num.partitions=" + PARTITIONS,
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=10",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "log.retention.hours=168",
                // One network thread and two request handlers, not Kafka's 3 and 8, for a broker that shares a
                // developer's or CI machine's few cores: each request still crosses from a network thread to a
                // handler and back, but among fewer threads. In two pairs of chat runs at 500 msg/s the broker's
                // CPU per message was 0.37-0.39 ms against 0.44-0.46 (BENCHMARKS.md, chat, 5 Dec, fifth session).
                "num.network.threads=1",
                "num.io.threads=2",
                // The log cleaner (it compacts __consumer_offsets) keeps its dedupe buffer on the heap: Kafka's
                // default is 128 MiB, which here was most of the old generation for good. Every few minutes the
                // parallel GC then ran a full collection of it, 103 ms in one benchmark, and every event waited it
                // out (a fan-out step broke its SLO at 7,500 deliveries/s, the machine 14 % busy). 8 MiB holds the
                // offsets of a few hundred thousand keys, far more than a local stack's topics ever compact.
                "log.cleaner.dedupe.buffer.size=8388608",
                "");
    }

    @Override
    public void awaitReady(Instant deadline) {
        Exception last = null;
        while (Instant.now().isBefore(deadline)) {
            process.checkAlive();
            try (Admin admin = admin()) {
                if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            LocalServer.pause(200);
        }
        throw new StackException("Kafka did not answer on port " + port + " in time ("
                + (last == null ? "no attempt" : last.getMessage()) + "). End of " + process.logFile() + ":\n"
                + ServerProcess.tail(process.logFile(), 25));
    }

    @Override
    public void provision() {
        try (Admin admin = admin()) {
            Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            List<NewTopic> missing = java.util.stream.Stream.concat(StackProfile.TOPICS.stream(),
                            StackProfile.DEAD_LETTER_TOPICS.stream())
                    .filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, PARTITIONS, (short) 1))
                    .collect(Collectors.toList());
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            throw new StackException("could not create the Kafka topics: " + e.getCause().getMessage(), e);
        } catch (Exception e) {
            throw new StackException("could not create the Kafka topics: " + e.getMessage(), e);
        }
    }

    private Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4000);
        return Admin.create(props);
    }

    @Override
    public void signal(String signal) {
        if (process != null) {
            process.signal(signal);
        }
    }

    @Override
    public void kill() {
        if (process != null) {
            process.kill();
        }
    }

    @Override
    public void stop() {
        if (process != null) {
            process.stop(30);
        }
    }
}
