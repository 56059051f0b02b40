package dev.switchboard.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.switchboard.testsupport.ServiceProcess;
import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.TestStack;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * What a scenario runs against: the test stack (started if none answers), ticket-, chat- and
 * notification-service, one gateway instance tuned for load (C2, 1 GiB heap, no access log,
 * limits opened up so the generator measures delivery, not the rate limiter), and, on demand,
 * the raw Vert.x baseline server in a JVM of its own. Services are started once and shared by
 * the scenarios of one run.
 */
final class Env implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final Vertx vertx;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final String gatewayHeap;
    private final boolean nativeTransport;
    private final String gc;
    private final Map<String, String> gatewayExtra = new LinkedHashMap<>();
    private final Map<String, String> servicesExtra = new LinkedHashMap<>();
    private boolean jfr;
    private ServiceProcess ticket;
    private ServiceProcess chat;
    private ServiceProcess notification;
    private ServiceProcess gateway;
    private Process baseline;
    private int baselinePort;

    Env(int clientThreads, String gatewayHeap) {
        this(clientThreads, gatewayHeap, Map.of(), Map.of(), false, "parallel");
    }

    /**
     * @param gatewaySettings extra gateway settings, from {@code --gateway-set} (see {@link #settings}), to compare
     *        configurations
     * @param servicesSettings extra settings of ticket-, chat- and notification-service, from {@code --services-set}
     * @param nativeTransport whether every Vert.x here (the services', the gateway's, the generator's and the
     *        baseline's) runs on Linux's epoll or on Java NIO, the default; to compare the two
     * @param gc the services' and the gateway's garbage collector: {@code parallel}, {@code shenandoah}, {@code zgc}
     *        or {@code serial}
     */
    Env(int clientThreads, String gatewayHeap, Map<String, String> gatewaySettings, Map<String, String> servicesSettings,
            boolean nativeTransport, String gc) {
        if (!GCS.contains(gc)) {
            throw new IllegalArgumentException("gc must be one of " + GCS + ", not " + gc);
        }
        gatewayExtra.putAll(gatewaySettings);
        servicesExtra.putAll(servicesSettings);
        this.gc = gc;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(clientThreads)
                .setPreferNativeTransport(nativeTransport));
        this.nativeTransport = nativeTransport;
        this.gatewayHeap = gatewayHeap;
    }

    /** {@code key=value;key=value}; an entry without {@code =} or with an empty key is refused, not ignored. */
    static Map<String, String> settings(String parameter, String text) {
        Map<String, String> all = new LinkedHashMap<>();
        for (String kv : text.split(";")) {
            if (kv.isBlank()) {
                continue;
            }
            int eq = kv.indexOf('=');
            if (eq <= 0 || kv.substring(0, eq).isBlank()) {
                throw new IllegalArgumentException("--" + parameter + " takes key=value;key=value, not \"" + kv.trim() + "\"");
            }
            all.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return all;
    }

    static final List<String> SERVICES = List.of("ticket-service", "chat-service", "notification-service");

    /**
     * A service's settings: {@code base}, then {@code --services-set}'s entries for every service ({@code key=value})
     * and those for this one alone ({@code notification-service:key=value}).
     */
    static Map<String, String> settingsOf(String service, Map<String, String> base, Map<String, String> extra) {
        Map<String, String> all = new LinkedHashMap<>(base);
        extra.forEach((key, value) -> {
            int colon = key.indexOf(':');
            if (colon < 0) {
                all.put(key, value);
            } else if (key.substring(0, colon).equals(service)) {
                all.put(key.substring(colon + 1), value);
            }
        });
        return all;
    }

    /**
     * {@code --services-set}'s entries, checked: one for a single service must name one of them.
     *
     * @throws IllegalArgumentException for {@code other-service:key=value}
     */
    static Map<String, String> servicesSettings(String text) {
        Map<String, String> all = settings("services-set", text);
        for (String key : all.keySet()) {
            int colon = key.indexOf(':');
            if (colon >= 0 && !SERVICES.contains(key.substring(0, colon))) {
                throw new IllegalArgumentException("--services-set: \"" + key.substring(0, colon) + "\" is none of "
                        + String.join(", ", SERVICES) + " (service:key=value sets one of them only)");
            }
        }
        return all;
    }

    /** Every service JVM started after this records a JFR profile, written to target/services/&lt;name&gt;.jfr at close. */
    void recordJfr(boolean on) {
        this.jfr = on;
    }

    static final List<String> GCS = List.of("parallel", "shenandoah", "zgc", "serial");

    /**
     * The three services' heap, 512 MiB; with a generational collector a fixed 320 MiB young generation, so that
     * young pauses come seconds apart (left to itself, chat-service's eden shrank to about 50 MB and it collected
     * every second).
     */
    private String[] serviceJvm() {
        List<String> options = new ArrayList<>(List.of("-Xms512m", "-Xmx512m"));
        if (gc.equals("parallel") || gc.equals("serial")) {
            options.add("-Xmn320m");
        }
        options.add(gcOption());
        return options.toArray(String[]::new);
    }

    String gc() {
        return gc;
    }

    private String gcOption() {
        return switch (gc) {
            case "shenandoah" -> "-XX:+UseShenandoahGC";
            case "zgc" -> "-XX:+UseZGC";
            case "serial" -> "-XX:+UseSerialGC";
            default -> "-XX:+UseParallelGC";
        };
    }

    /**
     * A service JVM's options; each logs its GC pauses to target/services/&lt;name&gt;-gc.log and its safepoints to
     * &lt;name&gt;-safepoint.log (where a step's stall comes from).
     */
    private List<String> jvm(String name, String... options) {
        List<String> all = new ArrayList<>(List.of(options));
        all.add("-Xlog:gc:file=" + Paths.get("target", "services", name + "-gc.log").toAbsolutePath() + ":time,uptime");
        // and every safepoint (a GC's, a deoptimisation's, the periodic clean-up's): how long the JVM stood still
        all.add("-Xlog:safepoint:file=" + Paths.get("target", "services", name + "-safepoint.log").toAbsolutePath()
                + ":time,uptime");
        if (jfr) {
            all.add("-XX:StartFlightRecording=name=bench,settings=profile");
        }
        return all;
    }

    synchronized void startServices() {
        if (gateway != null) {
            return;
        }
        TestStack.ensureRunning();
        log("starting ticket-, chat-, notification-service and the gateway");
        // Full JIT (the tests' C1-only, serial-GC JVMs start quicker but would make the services the bottleneck).
        Map<String, String> quiet = new LinkedHashMap<>(Map.of("quarkus.http.access-log.enabled", "false",
                "quarkus.vertx.prefer-native-transport", String.valueOf(nativeTransport)));
        List<ServiceProcess> services = ServiceProcess.startTogether(
                () -> ServiceProcess.start("ticket-service", ServiceProcess.jarOf("ticket-service"),
                        settingsOf("ticket-service", quiet, servicesExtra), jvm("ticket-service", serviceJvm())),
                () -> ServiceProcess.start("chat-service", ServiceProcess.jarOf("chat-service"),
                        settingsOf("chat-service", quiet, servicesExtra), jvm("chat-service", serviceJvm())),
                () -> ServiceProcess.start("notification-service", ServiceProcess.jarOf("notification-service"),
                        settingsOf("notification-service", quiet, servicesExtra), jvm("notification-service", serviceJvm())));
        ticket = services.get(0);
        chat = services.get(1);
        notification = services.get(2);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("switchboard.gateway.instance-id", "gateway-bench");
        p.put("quarkus.rest-client.ticket-service.url", ticket.httpUrl());
        p.put("quarkus.rest-client.chat-service.url", chat.httpUrl());
        p.put("quarkus.rest-client.notification-service.url", notification.httpUrl());
        p.put("quarkus.http.access-log.enabled", "false");
        p.put("quarkus.vertx.prefer-native-transport", String.valueOf(nativeTransport));
        p.put("switchboard.gateway.limits.messages-per-second", "100000");
        p.put("switchboard.gateway.limits.messages-burst", "100000");
        p.put("switchboard.gateway.limits.user-messages-per-second", "100000");
        p.put("switchboard.gateway.limits.user-messages-burst", "100000");
        p.put("switchboard.gateway.limits.abuse-close-after", "1000000");
        p.put("switchboard.gateway.limits.max-connections-per-user", "100000");
        p.put("switchboard.gateway.limits.outbound-queue", "10000");
        p.putAll(gatewayExtra);
        gateway = ServiceProcess.start("gateway", ServiceProcess.jarOf("gateway-service"), p,
                jvm("gateway", "-Xms" + gatewayHeap, "-Xmx" + gatewayHeap, gcOption()));
    }

    synchronized int startBaseline() {
        if (baseline != null) {
            return baselinePort;
        }
        baselinePort = ServiceProcess.freePort();
        try {
            Path log = Paths.get("target", "services", "baseline.log").toAbsolutePath();
            Files.createDirectories(log.getParent());
            baseline = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xms" + gatewayHeap, "-Xmx" + gatewayHeap, "-XX:+UseParallelGC", "-cp",
                    System.getProperty("java.class.path"), BaselineServer.class.getName(), String.valueOf(baselinePort),
                    String.valueOf(nativeTransport))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!listening(baselinePort)) {
                if (!baseline.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the baseline server did not start; see " + log);
                }
                Thread.sleep(50); // polling for the port, bounded by the deadline
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return baselinePort;
    }

    long baselinePid() {
        return baseline.pid();
    }

    /** The running services by name: gateway, chat-service, notification-service, ticket-service. */
    Map<String, ServiceProcess> services() {
        Map<String, ServiceProcess> all = new LinkedHashMap<>();
        for (ServiceProcess s : new ServiceProcess[] { gateway, chat, notification, ticket }) {
            if (s != null) {
                all.put(s.name(), s);
            }
        }
        return all;
    }

    /** The pids of {@link #services()}, by name. */
    Map<String, Long> servicePids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        services().forEach((name, service) -> pids.put(name, service.pid()));
        return pids;
    }

    ServiceProcess gateway() {
        return gateway;
    }

    int gatewayPort() {
        return URI.create(gateway.httpUrl()).getPort();
    }

    String chatUrl() {
        return chat.httpUrl();
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** An agent's token (agents may join every ticket room); one per user, cached. */
    String agentToken(String userId) {
        return tokens.computeIfAbsent("agent:" + userId, k -> TestJwt.token(userId, "Bench " + userId, Duration.ofHours(6), "agent"));
    }

    String adminToken() {
        return tokens.computeIfAbsent("admin", k -> TestJwt.token("bench-admin", "Bench admin", Duration.ofHours(6), "admin"));
    }

    /** Opens tickets (as a customer) and waits until chat-service knows them (it learns through Kafka). */
    List<String> createTickets(int count) throws Exception {
        String customer = TestJwt.token("bench-customer", "Bench customer", Duration.ofHours(6), "customer");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(ticket.httpUrl() + "/api/v1/tickets"))
                    .header("Authorization", "Bearer " + customer).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"bench room " + i + "\",\"description\":\"load\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) {
                throw new IllegalStateException("ticket not created: " + r.statusCode() + " " + r.body());
            }
            ids.add(JSON.readTree(r.body()).path("id").asText());
        }
        for (String id : ids) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (HTTP.send(HttpRequest.newBuilder(URI.create(chat.httpUrl() + "/api/v1/tickets/" + id + "/participants"))
                    .header("Authorization", "Bearer " + customer).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() != 200) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("chat-service did not learn of ticket " + id);
                }
                Thread.sleep(100); // polling chat-service's projection, bounded by the deadline
            }
        }
        return ids;
    }

    /** The gateway's heap in use, after a full GC (jcmd), from its /q/metrics. */
    long gatewayHeapUsedBytes() throws Exception {
        new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(gateway.pid()), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.httpUrl() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double used = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                used += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return (long) used;
    }

    JsonNode gatewayStats() throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(gateway.httpUrl() + "/api/v1/realtime/stats"))
                .header("Authorization", "Bearer " + adminToken()).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    static void log(String line) {
        System.err.println("[bench] " + line);
    }

    /** Writes each service's recording now (a service killed at the end would not write its own). */
    private void dumpJfr() {
        for (ServiceProcess s : services().values()) {
            Path file = Paths.get("target", "services", s.name() + ".jfr").toAbsolutePath();
            try {
                new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        String.valueOf(s.pid()), "JFR.dump", "name=bench", "filename=" + file).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
                log("profile: " + file);
            } catch (IOException e) {
                log("no profile of " + file + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public synchronized void close() {
        if (jfr) {
            dumpJfr();
        }
        if (baseline != null) {
            baseline.destroy();
            try {
                baseline.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (ServiceProcess s : new ServiceProcess[] { gateway, notification, chat, ticket }) {
            if (s != null) {
                s.close();
            }
        }
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
}
