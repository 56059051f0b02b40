package dev.switchboard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The manifests against the code: ports, probe paths, environment variables, addresses, databases,
 * the JWT key and Kafka topics are what the services actually read (application.properties, their
 * {@code @ConfigMapping} interfaces, their poms), so a renamed property breaks this test, not a
 * deployment.
 */
class ServiceConsistencyTest {
    /** host:port in a config value: after the start, "//", "@" or ",", a cluster-local name (no dots). */
    private static final Pattern ADDRESS = Pattern.compile("(?:^|//|@|,)([a-z0-9](?:[a-z0-9-]*[a-z0-9])?):(\\d{2,5})(?=$|[/,?])");

    static Stream<Arguments> overlaysAndServices() {
        return Manifests.OVERLAYS.stream().flatMap(o -> Repo.serviceModules().stream().map(s -> Arguments.of(o, s)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlaysAndServices")
    void containerServiceAndMetricsPortsAreTheServicesHttpPort(String overlay, String service) {
        ServiceModule module = ServiceModule.of(service);
        Manifests m = Manifests.of(overlay);
        Workload w = m.workload(service);
        int httpPort = Integer.parseInt(module.prodValue("quarkus.http.port", "8080"));
        JsonNode container = w.container(service);

        assertThat(container.path("ports").findValues("containerPort")).as("%s container ports", service).hasSize(1);
        assertThat(w.ports()).as("%s container port 'http' = quarkus.http.port", service).containsEntry("http", httpPort);
        JsonNode svc = m.get("Service", service);
        assertThat(svc.path("spec").path("ports")).as("Service %s", service).anySatisfy(p -> {
            assertThat(p.path("port").asInt()).isEqualTo(httpPort);
            assertThat(w.resolvePort(p.path("targetPort"))).contains(httpPort);
        });

        assertThat(module.dependsOn("quarkus-micrometer-registry-prometheus")).as("%s serves Prometheus metrics", service).isTrue();
        Map<String, String> annotations = w.podAnnotations();
        assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", Integer.toString(httpPort))
                .containsEntry("prometheus.io/path", "/" + nonApplicationRoot(module) + "/"
                        + strip(module.prodValue("quarkus.micrometer.export.prometheus.path", "metrics")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlaysAndServices")
    void probesAskTheServicesHealthEndpoints(String overlay, String service) {
        ServiceModule module = ServiceModule.of(service);
        assertThat(module.dependsOn("quarkus-smallrye-health")).as("%s has quarkus-smallrye-health", service).isTrue();
        assertThat(module.prodValue("quarkus.management.enabled", "false")).as("%s: health on a management port", service).isEqualTo("false");
        String root = "/" + nonApplicationRoot(module) + "/" + strip(module.prodValue("quarkus.smallrye-health.root-path", "health"));
        Map<String, String> expected = Map.of(
                "livenessProbe", root + "/" + strip(module.prodValue("quarkus.smallrye-health.liveness-path", "live")),
                "readinessProbe", root + "/" + strip(module.prodValue("quarkus.smallrye-health.readiness-path", "ready")),
                "startupProbe", root + "/" + strip(module.prodValue("quarkus.smallrye-health.startup-path", "started")));
        Workload w = Manifests.of(overlay).workload(service);
        JsonNode container = w.container(service);
        int httpPort = Integer.parseInt(module.prodValue("quarkus.http.port", "8080"));
        expected.forEach((probe, path) -> {
            JsonNode http = container.path(probe).path("httpGet");
            assertThat(http.path("path").asText()).as("%s %s path", service, probe).isEqualTo(path);
            assertThat(w.resolvePort(http.path("port"))).as("%s %s port", service, probe).contains(httpPort);
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlaysAndServices")
    void everyEnvironmentVariableIsOneTheServiceReads(String overlay, String service) {
        ServiceModule module = ServiceModule.of(service);
        Workload w = Manifests.of(overlay).workload(service);
        JsonNode container = w.container(service);
        List<String> onlyForExpansion = Workload.dependentVariables(container);
        List<String> unread = new ArrayList<>();
        for (String name : w.env(container).keySet()) {
            if (!module.readsEnv(name) && !onlyForExpansion.contains(name)) {
                unread.add(name);
            }
        }
        assertThat(unread).as("%s sets environment variables that %s reads nowhere in its prod profile "
                + "(application.properties, ${...} placeholders, @ConfigMapping)", overlay, service).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlaysAndServices")
    void everyLocalDefaultAndEveryRequiredValueIsSet(String overlay, String service) {
        ServiceModule module = ServiceModule.of(service);
        Workload w = Manifests.of(overlay).workload(service);
        Set<String> env = w.env(w.container(service)).keySet();
        List<String> missing = new ArrayList<>();
        module.prodProperties().forEach((property, value) -> {
            if ((value.contains("127.0.0.1") || value.contains("localhost")) && !env.contains(ServiceModule.envName(property))) {
                missing.add(ServiceModule.envName(property) + " (" + property + "=" + value + " would reach the pod itself)");
            }
        });
        module.configMappingProperties().forEach((property, defaultValue) -> {
            if (defaultValue != null && (defaultValue.contains("127.0.0.1") || defaultValue.contains("localhost"))
                    && !module.prodProperties().containsKey(property) && !env.contains(ServiceModule.envName(property))
                    && !property.startsWith("switchboard.dev-login.")) { // the dev login never runs in prod
                missing.add(ServiceModule.envName(property) + " (default " + defaultValue + ")");
            }
        });
        module.prodPlaceholders().forEach((name, required) -> {
            if (required && !env.contains(name) && !env.contains(ServiceModule.envName(name)) && !module.prodProperties().containsKey(name)) {
                missing.add(name + " (${" + name + "} has no default)");
            }
        });
        assertThat(missing).as("%s %s: values the prod profile needs from the environment", overlay, service).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlaysAndServices")
    void credentialsComeFromSecrets(String overlay, String service) {
        Workload w = Manifests.of(overlay).workload(service);
        w.env(w.container(service)).values().stream()
                .filter(v -> v.name().contains("PASSWORD") || v.name().contains("SECRET") || v.name().contains("TOKEN"))
                .forEach(v -> assertThat(v.source()).as("%s %s", service, v.name()).startsWith("Secret "));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlaysAndServices")
    void everyAddressIsAServiceOfTheOverlay(String overlay, String service) {
        Manifests m = Manifests.of(overlay);
        Workload w = m.workload(service);
        List<String> unresolved = new ArrayList<>();
        int found = 0;
        for (Workload.EnvVar var : w.env(w.container(service)).values()) {
            if (var.value() == null) {
                continue;
            }
            Matcher a = ADDRESS.matcher(var.value());
            while (a.find()) {
                found++;
                if (NetworkPaths.destination(m, a.group(1), Integer.parseInt(a.group(2))).isEmpty()) {
                    unresolved.add(var.name() + ": " + a.group(1) + ":" + a.group(2));
                }
            }
        }
        assertThat(found).as("%s: addresses in its configuration", service).isPositive();
        assertThat(unresolved).as("%s %s: addresses that are no Service port of the overlay", overlay, service).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlaysAndServices")
    void eachDataServiceHasItsOwnDatabaseAndRoleInPostgres(String overlay, String service) {
        ServiceModule module = ServiceModule.of(service);
        if (!module.prodProperties().containsKey("quarkus.datasource.jdbc.url")) {
            return; // no database (the gateway)
        }
        Manifests m = Manifests.of(overlay);
        Workload w = m.workload(service);
        Map<String, Workload.EnvVar> env = w.env(w.container(service));
        for (String name : List.of("QUARKUS_DATASOURCE_REACTIVE_URL", "QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_USERNAME",
                "QUARKUS_DATASOURCE_PASSWORD")) {
            assertThat(env).as("%s %s sets", overlay, service).containsKey(name);
        }
        URI reactive = URI.create(env.get("QUARKUS_DATASOURCE_REACTIVE_URL").value());
        URI jdbc = URI.create(env.get("QUARKUS_DATASOURCE_JDBC_URL").value().substring("jdbc:".length()));
        assertThat(jdbc.getHost() + ":" + jdbc.getPort() + jdbc.getPath()).as("%s JDBC and reactive URLs", service)
                .isEqualTo(reactive.getHost() + ":" + reactive.getPort() + reactive.getPath());
        String database = reactive.getPath().substring(1);
        assertThat(env.get("QUARKUS_DATASOURCE_USERNAME").value()).as("%s role = its database", service).isEqualTo(database);
        Workload.EnvVar password = env.get("QUARKUS_DATASOURCE_PASSWORD");

        Workload postgres = NetworkPaths.destination(m, reactive.getHost(), reactive.getPort()).orElseThrow().workload();
        JsonNode pg = postgres.containers().get(0);
        Map<String, Workload.EnvVar> pgEnv = postgres.env(pg);
        assertThat(pgEnv.get("SWITCHBOARD_DATABASES").value().split("\\s+")).as("databases made by init-databases.sh").contains(database);
        JsonNode passwordRef = null;
        for (JsonNode e : pg.path("env")) {
            if (e.path("name").asText().equals(database.toUpperCase() + "_PASSWORD")) {
                passwordRef = e.path("valueFrom").path("secretKeyRef");
            }
        }
        assertThat(passwordRef).as("postgres gets %s_PASSWORD", database.toUpperCase()).isNotNull();
        assertThat("Secret " + passwordRef.path("name").asText()).as("the role's password is the one %s logs in with", service)
                .isEqualTo(password.source());
        assertThat(passwordRef.path("key").asText()).isEqualTo("QUARKUS_DATASOURCE_PASSWORD");

        JsonNode init = m.generated("ConfigMap", "postgres-init");
        assertThat(init.path("data").path("init-databases.sh").asText()).contains("SWITCHBOARD_DATABASES", "_PASSWORD");
        assertThat(pg.path("volumeMounts").toString()).contains("/docker-entrypoint-initdb.d");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlaysAndServices")
    void theJwtPublicKeyIsMountedWhereTheServiceLooksForIt(String overlay, String service) {
        Manifests m = Manifests.of(overlay);
        Workload w = m.workload(service);
        JsonNode container = w.container(service);
        Map<String, Workload.EnvVar> env = w.env(container);
        assertThat(env.get("SWITCHBOARD_JWT_ISSUER").value()).as("issuer").startsWith("https://");
        String location = env.get("SWITCHBOARD_JWT_PUBLIC_KEY").value();
        assertThat(location).startsWith("file:/");
        String file = location.substring("file:".length());
        String dir = file.substring(0, file.lastIndexOf('/'));
        String key = file.substring(file.lastIndexOf('/') + 1);
        JsonNode mount = null;
        for (JsonNode vm : container.path("volumeMounts")) {
            if (vm.path("mountPath").asText().equals(dir)) {
                mount = vm;
            }
        }
        assertThat(mount).as("%s mounts %s", service, dir).isNotNull();
        JsonNode volume = null;
        for (JsonNode v : w.podSpec().path("volumes")) {
            if (v.path("name").asText().equals(mount.path("name").asText())) {
                volume = v;
            }
        }
        assertThat(volume.has("secret")).as("the key comes from a Secret").isTrue();
        assertThat(m.get("Secret", volume.path("secret").path("secretName").asText()).path("data").has(key))
                .as("Secret %s has %s", volume.path("secret").path("secretName").asText(), key).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyTopicTheCodeUsesHasAKafkaTopicAndNoOther(String overlay) {
        Set<String> used = new TreeSet<>();
        for (ServiceModule module : ServiceModule.all()) {
            used.addAll(module.configuredTopics());
            used.addAll(module.topicsInCode());
        }
        used.addAll(ServiceModule.topicsInCode(Repo.ROOT.resolve("local-stack/src/main/java")));
        assertThat(used).as("topics found in the code").contains("switchboard.ticket-events", "switchboard.chat-events",
                "switchboard.notification-events", "switchboard.notification-requests");
        assertThat(used).as("dead-letter topics found in the code").anyMatch(t -> t.endsWith(".dlq"));

        Set<String> declared = new TreeSet<>();
        for (JsonNode topic : Manifests.of(overlay).ofKind("KafkaTopic")) {
            declared.add(topic.path("spec").path("topicName").asText(Manifests.name(topic)));
        }
        assertThat(declared).as("%s: KafkaTopics (left: missing in the manifests / right: used by no service)", overlay)
                .isEqualTo(used);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theGatewaysGracePeriodOutlastsItsDrain(String overlay) {
        String service = "gateway-service";
        ServiceModule module = ServiceModule.of(service);
        Workload w = Manifests.of(overlay).workload(service);
        Map<String, Workload.EnvVar> env = w.env(w.container(service));
        assertThat(setting(module, env, "quarkus.shutdown.delay-enabled", "false")).as("quarkus.shutdown.delay-enabled").isEqualTo("true");
        Duration delay = Durations.parse(setting(module, env, "quarkus.shutdown.delay", "0s"));
        Duration window = Durations.parse(setting(module, env, "switchboard.gateway.drain.window", null));
        Duration reconnectJitter = Durations.parse(setting(module, env, "switchboard.gateway.drain.reconnect-jitter", null));
        assertThat(delay).as("the server runs on (not ready) for the whole drain window").isGreaterThan(window);
        Duration preStop = preStopSleep(w.container(service)).orElse(Duration.ZERO);
        Duration grace = Duration.ofSeconds(w.podSpec().path("terminationGracePeriodSeconds").asLong(30));
        Duration needed = preStop.plus(delay).plus(window).plus(reconnectJitter).plus(Duration.ofSeconds(10));
        assertThat(grace).as("terminationGracePeriodSeconds > preStop %s + shutdown delay %s + drain %s + jitter %s + 10 s",
                preStop, delay, window, reconnectJitter).isGreaterThanOrEqualTo(needed);
        assertThat(preStop).as("preStop lets the endpoints and the ingress drop the pod first").isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    }

    private static String setting(ServiceModule module, Map<String, Workload.EnvVar> env, String property, String defaultValue) {
        Workload.EnvVar fromEnv = env.get(ServiceModule.envName(property));
        if (fromEnv != null && fromEnv.value() != null) {
            return fromEnv.value();
        }
        String value = module.effective(property, defaultValue);
        assertThat(value).as("%s has no value", property).isNotNull();
        return value;
    }

    static Optional<Duration> preStopSleep(JsonNode container) {
        JsonNode command = container.path("lifecycle").path("preStop").path("exec").path("command");
        if (command.size() == 2 && command.get(0).asText().equals("sleep")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(command.get(1).asText())));
        }
        return Optional.empty();
    }

    private static String nonApplicationRoot(ServiceModule module) {
        return strip(module.prodValue("quarkus.http.non-application-root-path", "q"));
    }

    private static String strip(String path) {
        return path.replaceAll("^/+|/+$", "");
    }
}
