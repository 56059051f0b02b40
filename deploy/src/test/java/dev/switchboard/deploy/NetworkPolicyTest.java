package dev.switchboard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.deploy.NetworkPaths.Destination;
import dev.switchboard.deploy.NetworkPaths.Peer;

/**
 * The NetworkPolicies allow exactly the connections the configuration makes: each service reaches the
 * addresses in its environment (its database, Kafka, Redis, the services it calls) and nothing else;
 * from the ingress controller only the gateway is reachable.
 */
class NetworkPolicyTest {
    private static final Pattern ADDRESS = Pattern.compile("(?:^|//|@|,)([a-z0-9](?:[a-z0-9-]*[a-z0-9])?):(\\d{2,5})(?=$|[/,?])");
    private static final Peer INGRESS_CONTROLLER = NetworkPaths.outside("ingress-nginx controller", "ingress-nginx",
            Map.of("app.kubernetes.io/name", "ingress-nginx", "app.kubernetes.io/component", "controller"), Map.of());
    private static final Peer PROMETHEUS = NetworkPaths.outside("prometheus", "monitoring",
            Map.of("app.kubernetes.io/name", "prometheus"), Map.of());
    private static final Peer KUBE_DNS = NetworkPaths.outside("kube-dns", "kube-system", Map.of("k8s-app", "kube-dns"), Map.of());

    /** The connections a workload's configuration makes: "name:port" of each destination pod. */
    private static Set<String> configuredPaths(Manifests m, Workload w) {
        Set<String> paths = new LinkedHashSet<>();
        for (JsonNode c : w.containers()) {
            for (Workload.EnvVar var : w.env(c).values()) {
                if (var.value() == null) {
                    continue;
                }
                Matcher a = ADDRESS.matcher(var.value());
                while (a.find()) {
                    Destination d = NetworkPaths.destination(m, a.group(1), Integer.parseInt(a.group(2)))
                            .orElseThrow(() -> new AssertionError(w.name() + ": " + a.group() + " is no Service of the overlay"));
                    paths.add(d.peer().name() + ":" + d.port());
                }
            }
        }
        return paths;
    }

    /** Every pod of the overlay and the Kafka brokers, with each of their ports. */
    private static List<Map.Entry<Peer, Integer>> everyPodPort(Manifests m) {
        List<Map.Entry<Peer, Integer>> all = new ArrayList<>();
        for (Workload w : m.workloads()) {
            w.ports().values().forEach(p -> all.add(Map.entry(NetworkPaths.peer(w), p)));
        }
        for (Peer broker : NetworkPaths.brokers(m)) {
            broker.ports().values().forEach(p -> all.add(Map.entry(broker, p)));
        }
        return all;
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void eachWorkloadReachesExactlyWhatItsConfigurationNames(String overlay) {
        Manifests m = Manifests.of(overlay);
        for (Workload w : m.workloads()) {
            Set<String> configured = configuredPaths(m, w);
            Set<String> allowed = new LinkedHashSet<>();
            for (Map.Entry<Peer, Integer> target : everyPodPort(m)) {
                if (!target.getKey().name().equals(w.name())
                        && NetworkPaths.allowed(m, NetworkPaths.peer(w), target.getKey(), target.getValue(), "TCP")) {
                    allowed.add(target.getKey().name() + ":" + target.getValue());
                }
            }
            assertThat(allowed).as("%s %s: connections the policies allow (= the addresses in its configuration)", overlay, w.name())
                    .isEqualTo(configured);
        }
        assertThat(configuredPaths(m, m.workload("ticket-service"))).as("ticket-service reaches its database and Kafka")
                .anyMatch(p -> p.startsWith("postgres:")).anyMatch(p -> p.contains("Kafka"));
        assertThat(configuredPaths(m, m.workload("gateway-service"))).as("the gateway reaches Redis, Kafka and the three services")
                .hasSize(5).anyMatch(p -> p.startsWith("redis:"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void fromTheIngressControllerOnlyTheGatewaysHttpPortIsReachable(String overlay) {
        Manifests m = Manifests.of(overlay);
        Set<String> reachable = new LinkedHashSet<>();
        for (Map.Entry<Peer, Integer> target : everyPodPort(m)) {
            if (target.getKey().workload() != null && NetworkPaths.allowed(m, INGRESS_CONTROLLER, target.getKey(), target.getValue(), "TCP")) {
                reachable.add(target.getKey().name() + ":" + target.getValue());
            }
        }
        assertThat(reachable).containsExactly("gateway-service:" + m.workload("gateway-service").ports().get("http"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void prometheusScrapesEveryServiceAndStrangersReachNothing(String overlay) {
        Manifests m = Manifests.of(overlay);
        String namespace = NetworkPaths.namespace(m);
        Peer strangerInside = new Peer("a pod of another app", namespace, NetworkPaths.namespaceLabels(m, namespace),
                Map.of("app.kubernetes.io/name", "something-else"), Map.of(), null);
        Peer strangerOutside = NetworkPaths.outside("a pod of another namespace", "default", Map.of("app", "x"), Map.of());
        for (String service : Repo.serviceModules()) {
            Workload w = m.workload(service);
            int port = Integer.parseInt(w.podAnnotations().get("prometheus.io/port"));
            assertThat(NetworkPaths.allowed(m, PROMETHEUS, NetworkPaths.peer(w), port, "TCP")).as("Prometheus scrapes %s", service).isTrue();
        }
        for (Workload w : m.workloads()) {
            for (int port : w.ports().values()) {
                assertThat(NetworkPaths.allowed(m, strangerInside, NetworkPaths.peer(w), port, "TCP")).as("stranger -> %s:%d", w.name(), port).isFalse();
                assertThat(NetworkPaths.allowed(m, strangerOutside, NetworkPaths.peer(w), port, "TCP")).as("outsider -> %s:%d", w.name(), port).isFalse();
            }
            assertThat(NetworkPaths.allowed(m, NetworkPaths.peer(w), KUBE_DNS, 53, "UDP")).as("%s resolves names", w.name()).isTrue();
            assertThat(NetworkPaths.allowed(m, NetworkPaths.peer(w), KUBE_DNS, 53, "TCP")).as("%s resolves names (TCP)", w.name()).isTrue();
            assertThat(NetworkPaths.selecting(m, "Ingress", NetworkPaths.peer(w))).as("%s is covered by a policy", w.name()).isNotEmpty();
            assertThat(NetworkPaths.selecting(m, "Egress", NetworkPaths.peer(w))).as("%s is covered by a policy", w.name()).isNotEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void kafkaIsLeftToStrimzisPoliciesWhichAdmitEveryClient(String overlay) {
        Manifests m = Manifests.of(overlay);
        for (Peer broker : NetworkPaths.brokers(m)) {
            // Strimzi copies the Kafka resources' labels to its pods: a deny-all of ours selecting them would cut the brokers off.
            assertThat(NetworkPaths.selecting(m, "Ingress", broker)).as("our policies selecting %s", broker.name()).isEmpty();
            assertThat(NetworkPaths.selecting(m, "Egress", broker)).as("our policies selecting %s", broker.name()).isEmpty();
        }
        JsonNode kafka = m.ofKind("Kafka").get(0);
        for (Workload w : m.workloads()) {
            for (String path : configuredPaths(m, w)) {
                if (!path.contains("(Kafka ")) {
                    continue;
                }
                int port = Integer.parseInt(path.substring(path.lastIndexOf(':') + 1));
                JsonNode listener = null;
                for (JsonNode l : kafka.path("spec").path("kafka").path("listeners")) {
                    if (l.path("port").asInt() == port) {
                        listener = l;
                    }
                }
                assertThat(listener.path("networkPolicyPeers")).as("listener %d admits only named clients", port).isNotEmpty();
                boolean admitted = false;
                for (JsonNode peer : listener.path("networkPolicyPeers")) {
                    admitted |= !peer.has("namespaceSelector") && NetworkPaths.selects(peer.path("podSelector"), w.podLabels());
                }
                assertThat(admitted).as("Kafka's listener %d admits %s (labels %s)", port, w.name(), w.podLabels()).isTrue();
            }
        }
    }
}
