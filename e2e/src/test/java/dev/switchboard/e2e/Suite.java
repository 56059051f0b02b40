package dev.switchboard.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.switchboard.testsupport.ServiceProcess;
import dev.switchboard.testsupport.TestJwt;

/**
 * The whole suite as real processes, as {@code ./switchboard up} runs it: the test stack's real
 * PostgreSQL, Redis and Kafka, the four services from their packaged jars, the gateway with the
 * dev login (signing with this run's generated key) and the services open to the demo page's
 * origin (CORS). Started once per test JVM; the tests drive it only from outside.
 */
final class Suite {
    /** The demo page's origin may be localhost or 127.0.0.1, on the gateway's port. */
    private static final String LOCAL_ORIGINS = "/https?://(localhost|127\\.0\\.0\\.1)(:[0-9]+)?/";

    private static ServiceProcess ticket;
    private static ServiceProcess chat;
    private static ServiceProcess notification;
    private static ServiceProcess gateway;
    private static int gatewayPort;
    private static Path privateKey;

    private Suite() {
    }

    static synchronized void start() {
        if (ticket != null) {
            return;
        }
        Map<String, String> cors = Map.of("quarkus.http.cors.enabled", "true", "quarkus.http.cors.origins", LOCAL_ORIGINS);
        List<ServiceProcess> services = ServiceProcess.startModules(cors, "ticket-service", "chat-service",
                "notification-service");
        ticket = services.get(0);
        chat = services.get(1);
        notification = services.get(2);
        try {
            Path dir = Paths.get("target", "services").toAbsolutePath();
            Files.createDirectories(dir);
            privateKey = dir.resolve("jwt-private.pem");
            Files.writeString(privateKey, TestJwt.privateKeyPem());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        gatewayPort = ServiceProcess.freePort();
        gateway = startGateway();
    }

    private static ServiceProcess startGateway() {
        return startGateway("gateway", "gateway-e2e", gatewayPort);
    }

    private static ServiceProcess startGateway(String name, String instanceId, int port) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("quarkus.http.port", String.valueOf(port));
        properties.put("switchboard.gateway.instance-id", instanceId);
        properties.put("quarkus.rest-client.ticket-service.url", ticket.httpUrl());
        properties.put("quarkus.rest-client.chat-service.url", chat.httpUrl());
        properties.put("quarkus.rest-client.notification-service.url", notification.httpUrl());
        properties.put("switchboard.dev-login.enabled", "true");
        properties.put("switchboard.dev-login.private-key-location", privateKey.toString());
        properties.put("switchboard.dev-login.services.ticket", ticket.httpUrl());
        properties.put("switchboard.dev-login.services.chat", chat.httpUrl());
        properties.put("switchboard.dev-login.services.notification", notification.httpUrl());
        return ServiceProcess.start(name, ServiceProcess.jarOf("gateway-service"), properties);
    }

    private static ServiceProcess secondGateway;

    /** A second gateway instance, configured as the first, sharing Redis and Kafka; started on first use. */
    static synchronized ServiceProcess secondGateway() {
        start();
        if (secondGateway == null) {
            secondGateway = startGateway("gateway-2", "gateway-e2e-2", ServiceProcess.freePort());
        }
        return secondGateway;
    }

    /** Stops the gateway (SIGTERM, drain) and starts it again on the same port, as a deploy would. */
    static synchronized void restartGateway() {
        gateway.close();
        gateway = startGateway();
    }

    static ServiceProcess gateway() {
        start();
        return gateway;
    }

    static String ticketUrl() {
        start();
        return ticket.httpUrl();
    }

    static String chatUrl() {
        start();
        return chat.httpUrl();
    }

    static String notificationUrl() {
        start();
        return notification.httpUrl();
    }

    static Path privateKey() {
        start();
        return privateKey;
    }
}
