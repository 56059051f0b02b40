package dev.switchboard.gateway.it;

import static io.restassured.RestAssured.given;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.switchboard.testsupport.ServiceProcess;

/**
 * What the gateway's integration tests run against, started once per test JVM from the packaged
 * jars: ticket-, chat- and notification-service, and two gateway instances side by side sharing the
 * test stack's Redis and Kafka. A test that kills an instance starts its own.
 */
final class Cluster {
    private static ServiceProcess ticket;
    private static ServiceProcess chat;
    private static ServiceProcess notification;
    private static ServiceProcess gateway1;
    private static ServiceProcess gateway2;
    private static int started;
    private static final List<ServiceProcess> gateways = new ArrayList<>();

    private Cluster() {
    }

    static synchronized void start() {
        if (ticket != null) {
            return;
        }
        List<ServiceProcess> services = ServiceProcess.startModules(Map.of(), "ticket-service", "chat-service",
                "notification-service");
        ticket = services.get(0);
        chat = services.get(1);
        notification = services.get(2);
        List<ServiceProcess> pair = startGateways(Map.of(), Map.of());
        gateway1 = pair.get(0);
        gateway2 = pair.get(1);
    }

    /** A further gateway instance (its own name, free port), with extra settings. */
    static synchronized ServiceProcess startGateway(Map<String, String> extra) {
        start();
        return startGateways(extra).get(0);
    }

    /** Further gateway instances side by side, one for each map of extra settings. */
    @SafeVarargs
    private static List<ServiceProcess> startGateways(Map<String, String>... extras) {
        List<Supplier<ServiceProcess>> starts = new ArrayList<>();
        for (Map<String, String> extra : extras) {
            String name = "gateway-" + (++started);
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put("switchboard.gateway.instance-id", name);
            properties.put("quarkus.rest-client.ticket-service.url", ticket.httpUrl());
            properties.put("quarkus.rest-client.chat-service.url", chat.httpUrl());
            properties.put("quarkus.rest-client.notification-service.url", notification.httpUrl());
            properties.put("switchboard.gateway.authenticate-timeout", "3s");
            properties.put("switchboard.gateway.allowed-origins", "https://app.switchboard.test");
            properties.putAll(extra);
            starts.add(() -> ServiceProcess.start(name, ServiceProcess.jarOf("gateway-service"), properties));
        }
        List<ServiceProcess> instances = ServiceProcess.startTogether(starts);
        gateways.addAll(instances);
        return instances;
    }

    /**
     * The Kafka records all running gateway instances have taken from their consumers so far (each instance's
     * {@code switchboard_gateway_events_consumed_total}, which counts a record before it goes to Redis).
     */
    static long eventsConsumed() {
        return metricSum("switchboard_gateway_events_consumed_total");
    }

    /** A metric of {@code /q/metrics} (a counter, or a histogram's {@code _count}) summed over the running gateways. */
    static synchronized long metricSum(String name) {
        start();
        Pattern metric = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? ([0-9.eE+]+)$");
        long sum = 0;
        for (ServiceProcess gateway : gateways) {
            if (gateway.pid() < 0) {
                continue;
            }
            String metrics = given().baseUri(gateway.httpUrl()).get("/q/metrics").then().statusCode(200)
                    .extract().asString();
            Matcher m = metric.matcher(metrics);
            if (m.find()) {
                sum += (long) Double.parseDouble(m.group(1));
            }
        }
        return sum;
    }

    private static ServiceProcess tight1;
    private static ServiceProcess tight2;

    /** The tight limits the limit and slow-consumer tests run under (README's defaults are far higher). */
    static final Map<String, String> TIGHT = Map.ofEntries(
            Map.entry("switchboard.gateway.limits.messages-per-second", "2"),
            Map.entry("switchboard.gateway.limits.messages-burst", "5"),
            Map.entry("switchboard.gateway.limits.user-messages-per-second", "1"),
            Map.entry("switchboard.gateway.limits.user-messages-burst", "6"),
            Map.entry("switchboard.gateway.limits.abuse-close-after", "15"),
            Map.entry("switchboard.gateway.limits.max-connections-per-user", "3"),
            Map.entry("switchboard.gateway.limits.outbound-queue", "50"),
            Map.entry("switchboard.gateway.limits.slow-consumer-timeout", "2s"),
            Map.entry("switchboard.gateway.limits.idle-timeout", "3s"),
            Map.entry("quarkus.websockets-next.server.auto-ping-interval", "1s"));

    /** Two more instances with {@link #TIGHT} limits, started on first use. */
    static synchronized ServiceProcess tight1() {
        startTight();
        return tight1;
    }

    static synchronized ServiceProcess tight2() {
        startTight();
        return tight2;
    }

    private static void startTight() {
        start();
        if (tight1 == null) {
            List<ServiceProcess> pair = startGateways(TIGHT, TIGHT);
            tight1 = pair.get(0);
            tight2 = pair.get(1);
        }
    }

    static ServiceProcess gateway1() {
        start();
        return gateway1;
    }

    static ServiceProcess gateway2() {
        start();
        return gateway2;
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
}
