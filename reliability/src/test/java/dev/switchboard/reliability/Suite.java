package dev.switchboard.reliability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.switchboard.testsupport.ServiceProcess;
import dev.switchboard.testsupport.TestStack;

/**
 * The whole suite as real processes on fixed ports: the test stack's PostgreSQL, Redis and Kafka,
 * ticket-, chat- and notification-service, and two gateway instances (own instance ids, same Redis).
 * A component can be killed with SIGKILL and started again on its port, or paused (SIGSTOP) and
 * resumed (SIGCONT); the stack's servers through its control port.
 */
final class Suite {
    static final String TICKET = "ticket-service";
    static final String CHAT = "chat-service";
    static final String NOTIFICATION = "notification-service";
    static final String GATEWAY_1 = "gateway-1";
    static final String GATEWAY_2 = "gateway-2";
    static final List<String> SERVICES = List.of(TICKET, CHAT, NOTIFICATION, GATEWAY_1, GATEWAY_2);

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private static final Map<String, Integer> PORTS = new ConcurrentHashMap<>();
    private static final Map<String, ServiceProcess> RUNNING = new ConcurrentHashMap<>();
    private static final AtomicInteger STARTS = new AtomicInteger();
    private static boolean started;

    private Suite() {
    }

    static synchronized void start() {
        if (started) {
            return;
        }
        TestStack.ensureRunning();
        for (String service : SERVICES) {
            PORTS.put(service, ServiceProcess.freePort());
        }
        // The three data services side by side, then both gateways side by side (they call the three).
        ServiceProcess.startTogether(() -> startService(TICKET), () -> startService(CHAT),
                () -> startService(NOTIFICATION));
        ServiceProcess.startTogether(() -> startService(GATEWAY_1), () -> startService(GATEWAY_2));
        started = true;
    }

    /** Starts the service on its port (again, after a kill) and returns it once its /q/health/ready answers 200. */
    static ServiceProcess startService(String service) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("quarkus.http.port", String.valueOf(PORTS.get(service)));
        String module = service;
        if (service.startsWith("gateway")) {
            module = "gateway-service";
            properties.put("switchboard.gateway.instance-id", service);
            properties.put("quarkus.rest-client.ticket-service.url", url(TICKET));
            properties.put("quarkus.rest-client.chat-service.url", url(CHAT));
            properties.put("quarkus.rest-client.notification-service.url", url(NOTIFICATION));
        }
        String logName = service + "-" + STARTS.incrementAndGet();
        ServiceProcess process = ServiceProcess.start(logName, ServiceProcess.jarOf(module), properties);
        RUNNING.put(service, process);
        return process;
    }

    static String url(String service) {
        return "http://127.0.0.1:" + PORTS.get(service);
    }

    static String wsUrl(String gateway) {
        return "ws://127.0.0.1:" + PORTS.get(gateway) + "/ws";
    }

    /** SIGKILL: the JVM dies at once, no socket closed, no shutdown hook. */
    static void kill(String service) {
        ServiceProcess process = RUNNING.remove(service);
        if (process != null) {
            process.kill();
        }
    }

    static void pause(String service) {
        signal(service, "STOP");
    }

    static void resume(String service) {
        signal(service, "CONT");
    }

    private static void signal(String service, String signal) {
        long pid = RUNNING.get(service).pid();
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** 200 from /q/health/ready; false when it answers otherwise or not within a second. */
    static boolean ready(String service) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url(service) + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(1)).build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static boolean allReady() {
        return SERVICES.stream().allMatch(Suite::ready);
    }

    static String logOf(String service) {
        ServiceProcess process = RUNNING.get(service);
        return process == null ? "" : process.logText();
    }
}
