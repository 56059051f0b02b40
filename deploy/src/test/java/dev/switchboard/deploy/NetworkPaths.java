package dev.switchboard.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Kubernetes NetworkPolicy semantics over the objects of a built overlay: which pod may open a
 * connection to which port of which other pod. A pod selected by no policy of a direction is open in
 * that direction; selected by some, only what one of their rules allows gets through, and a
 * connection needs both the source's egress and the destination's ingress.
 */
final class NetworkPaths {

    /** A pod: where it runs, its labels, its named ports; workload is null for pods this overlay does not define. */
    record Peer(String name, String namespace, Map<String, String> namespaceLabels, Map<String, String> labels,
            Map<String, Integer> ports, Workload workload) {
    }

    /** Where an address (host:port) of a service's configuration leads. */
    record Destination(Peer peer, int port) {
        Workload workload() {
            return peer.workload();
        }
    }

    private NetworkPaths() {
    }

    static Peer peer(Workload w) {
        return new Peer(w.name(), w.namespace(), namespaceLabels(w.manifests(), w.namespace()), w.podLabels(), w.ports(), w);
    }

    /** A pod of another namespace, e.g. the ingress controller's. */
    static Peer outside(String name, String namespace, Map<String, String> labels, Map<String, Integer> ports) {
        return new Peer(name, namespace, Map.of("kubernetes.io/metadata.name", namespace), labels, ports, null);
    }

    static String namespace(Manifests m) {
        return Manifests.name(m.ofKind("Namespace").get(0));
    }

    static Map<String, String> namespaceLabels(Manifests m, String namespace) {
        Map<String, String> labels = new LinkedHashMap<>();
        m.find("Namespace", namespace).ifPresent(ns -> labels.putAll(Workload.strings(ns.path("metadata").path("labels"))));
        labels.put("kubernetes.io/metadata.name", namespace);
        return labels;
    }

    /** The broker pods Strimzi makes for a Kafka resource, with the labels it gives them. */
    static List<Peer> brokers(Manifests m) {
        List<Peer> brokers = new ArrayList<>();
        for (JsonNode kafka : m.ofKind("Kafka")) {
            String cluster = Manifests.name(kafka);
            for (JsonNode pool : m.ofKind("KafkaNodePool")) {
                if (!pool.path("metadata").path("labels").path("strimzi.io/cluster").asText().equals(cluster)
                        || !pool.path("spec").path("roles").toString().contains("broker")) {
                    continue;
                }
                Map<String, String> labels = new LinkedHashMap<>();
                labels.putAll(Workload.strings(kafka.path("metadata").path("labels")));
                labels.putAll(Workload.strings(pool.path("metadata").path("labels")));
                labels.putAll(Workload.strings(pool.path("spec").path("template").path("pod").path("metadata").path("labels")));
                labels.put("strimzi.io/cluster", cluster);
                labels.put("strimzi.io/kind", "Kafka");
                labels.put("strimzi.io/name", cluster + "-kafka");
                labels.put("strimzi.io/pool-name", Manifests.name(pool));
                labels.put("strimzi.io/broker-role", "true");
                if (pool.path("spec").path("roles").toString().contains("controller")) {
                    labels.put("strimzi.io/controller-role", "true");
                }
                labels.put("app.kubernetes.io/name", "kafka");
                labels.put("app.kubernetes.io/instance", cluster);
                Map<String, Integer> ports = new LinkedHashMap<>();
                kafka.path("spec").path("kafka").path("listeners").forEach(l -> ports.put(l.path("name").asText(), l.path("port").asInt()));
                ports.put("tcp-replication", 9091);
                ports.put("tcp-ctrlplane", 9090);
                String namespace = kafka.path("metadata").path("namespace").asText();
                brokers.add(new Peer(Manifests.name(pool) + " (Kafka " + cluster + ")", namespace, namespaceLabels(m, namespace), labels, ports, null));
            }
        }
        return brokers;
    }

    /** host:port as a pod of the overlay and its container port: a Service's port, or a Strimzi bootstrap address. */
    static Optional<Destination> destination(Manifests m, String host, int port) {
        Optional<JsonNode> service = m.find("Service", host);
        if (service.isPresent()) {
            Map<String, String> selector = Workload.strings(service.get().path("spec").path("selector"));
            for (JsonNode p : service.get().path("spec").path("ports")) {
                if (p.path("port").asInt() != port) {
                    continue;
                }
                for (Workload w : m.workloads()) {
                    if (!selector.isEmpty() && w.podLabels().entrySet().containsAll(selector.entrySet())) {
                        Optional<Integer> target = w.resolvePort(p.path("targetPort"));
                        if (target.isPresent()) {
                            return Optional.of(new Destination(peer(w), target.get()));
                        }
                    }
                }
            }
            return Optional.empty();
        }
        for (JsonNode kafka : m.ofKind("Kafka")) {
            if (host.equals(Manifests.name(kafka) + "-kafka-bootstrap")) {
                for (JsonNode listener : kafka.path("spec").path("kafka").path("listeners")) {
                    if (listener.path("port").asInt() == port && listener.path("type").asText().equals("internal")) {
                        String cluster = Manifests.name(kafka);
                        return brokers(m).stream().filter(b -> b.labels().get("strimzi.io/cluster").equals(cluster)).findFirst()
                                .map(b -> new Destination(b, port));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** Whether {@code from} may connect to {@code port} of {@code to}: its egress and the destination's ingress both allow it. */
    static boolean allowed(Manifests m, Peer from, Peer to, int port, String protocol) {
        return allows(m, "Egress", from, to, port, protocol) && allows(m, "Ingress", to, from, port, protocol);
    }

    /** The policies of the overlay that select the pod for the direction. */
    static List<JsonNode> selecting(Manifests m, String direction, Peer pod) {
        List<JsonNode> selecting = new ArrayList<>();
        for (JsonNode policy : m.ofKind("NetworkPolicy")) {
            if (policy.path("metadata").path("namespace").asText().equals(pod.namespace())
                    && types(policy).contains(direction) && selects(policy.path("spec").path("podSelector"), pod.labels())) {
                selecting.add(policy);
            }
        }
        return selecting;
    }

    /** Whether the policies selecting {@code pod} in {@code direction} let it talk to {@code other} (the destination when egress). */
    private static boolean allows(Manifests m, String direction, Peer pod, Peer other, int port, String protocol) {
        List<JsonNode> policies = selecting(m, direction, pod);
        if (policies.isEmpty()) {
            return true;
        }
        Peer destination = direction.equals("Egress") ? other : pod;
        String rulesField = direction.equals("Egress") ? "egress" : "ingress";
        String peersField = direction.equals("Egress") ? "to" : "from";
        for (JsonNode policy : policies) {
            for (JsonNode rule : policy.path("spec").path(rulesField)) {
                if (peersMatch(rule.path(peersField), other, policy.path("metadata").path("namespace").asText())
                        && portsMatch(rule.path("ports"), port, protocol, destination)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<String> types(JsonNode policy) {
        List<String> types = new ArrayList<>();
        if (policy.path("spec").has("policyTypes")) {
            policy.path("spec").path("policyTypes").forEach(t -> types.add(t.asText()));
        } else {
            types.add("Ingress");
            if (policy.path("spec").has("egress")) {
                types.add("Egress");
            }
        }
        return types;
    }

    private static boolean peersMatch(JsonNode peers, Peer peer, String policyNamespace) {
        if (peers.isMissingNode() || peers.isEmpty()) {
            return true;
        }
        for (JsonNode p : peers) {
            if (p.has("ipBlock")) {
                throw new AssertionError("ipBlock peers are not modelled by this test: " + p);
            }
            boolean namespaceOk = p.has("namespaceSelector") ? selects(p.path("namespaceSelector"), peer.namespaceLabels())
                    : peer.namespace().equals(policyNamespace);
            boolean podOk = !p.has("podSelector") || selects(p.path("podSelector"), peer.labels());
            if (namespaceOk && podOk) {
                return true;
            }
        }
        return false;
    }

    private static boolean portsMatch(JsonNode ports, int port, String protocol, Peer destination) {
        if (ports.isMissingNode() || ports.isEmpty()) {
            return true;
        }
        for (JsonNode p : ports) {
            if (!p.path("protocol").asText("TCP").equals(protocol)) {
                continue;
            }
            JsonNode number = p.path("port");
            if (number.isMissingNode()) {
                return true;
            }
            if (number.isInt() && (number.asInt() == port || p.has("endPort") && port >= number.asInt() && port <= p.path("endPort").asInt())) {
                return true;
            }
            if (number.isTextual() && Integer.valueOf(port).equals(destination.ports().get(number.asText()))) {
                return true;
            }
        }
        return false;
    }

    static boolean selects(JsonNode selector, Map<String, String> labels) {
        for (var e : Workload.strings(selector.path("matchLabels")).entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String key = expression.path("key").asText();
            List<String> values = new ArrayList<>();
            expression.path("values").forEach(v -> values.add(v.asText()));
            boolean ok = switch (expression.path("operator").asText()) {
                case "In" -> labels.containsKey(key) && values.contains(labels.get(key));
                case "NotIn" -> !labels.containsKey(key) || !values.contains(labels.get(key));
                case "Exists" -> labels.containsKey(key);
                case "DoesNotExist" -> !labels.containsKey(key);
                default -> throw new AssertionError("unknown selector operator " + expression);
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
