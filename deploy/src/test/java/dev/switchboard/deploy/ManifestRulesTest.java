package dev.switchboard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What every workload and every reference between objects must be, in both overlays: restricted
 * security contexts, probes, resources, pinned images, and no name that points at nothing.
 */
class ManifestRulesTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyPodRunsAsNonRootOnAReadOnlyRootWithoutPrivileges(String overlay) {
        for (Workload w : Manifests.of(overlay).workloads()) {
            JsonNode pod = w.podSpec();
            assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).as("%s runAsNonRoot", w.name()).isTrue();
            assertThat(pod.path("securityContext").path("seccompProfile").path("type").asText()).as("%s seccompProfile", w.name())
                    .isEqualTo("RuntimeDefault");
            assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).as("%s mounts a service account token", w.name()).isFalse();
            for (JsonNode c : w.containers()) {
                String what = w.name() + "/" + c.path("name").asText();
                JsonNode sc = c.path("securityContext");
                assertThat(sc.path("allowPrivilegeEscalation").isBoolean() && !sc.path("allowPrivilegeEscalation").asBoolean())
                        .as("%s allowPrivilegeEscalation: false", what).isTrue();
                assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).as("%s readOnlyRootFilesystem", what).isTrue();
                assertThat(sc.path("privileged").asBoolean(false)).as("%s privileged", what).isFalse();
                assertThat(sc.path("capabilities").path("drop").toString()).as("%s capabilities.drop", what).contains("\"ALL\"");
                assertThat(sc.path("capabilities").path("add").isMissingNode()).as("%s adds capabilities", what).isTrue();
                int uid = sc.path("runAsUser").asInt(pod.path("securityContext").path("runAsUser").asInt(0));
                assertThat(uid).as("%s runAsUser (the image's user must be known for runAsNonRoot)", what).isPositive();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyContainerHasProbesResourcesAndAPinnedImage(String overlay) {
        for (Workload w : Manifests.of(overlay).workloads()) {
            for (JsonNode c : w.containers()) {
                String what = overlay + " " + w.name() + "/" + c.path("name").asText();
                assertThat(c.has("livenessProbe") && c.has("readinessProbe") && c.has("startupProbe"))
                        .as("%s has liveness, readiness and startup probes", what).isTrue();
                JsonNode resources = c.path("resources");
                assertThat(resources.path("requests").has("cpu") && resources.path("requests").has("memory")
                        && resources.path("limits").has("memory")).as("%s requests cpu and memory, limits memory", what).isTrue();
                assertThat(Quantities.of(resources.path("requests").path("memory")))
                        .as("%s memory request <= limit", what).isLessThanOrEqualTo(Quantities.of(resources.path("limits").path("memory")));
                if (resources.path("limits").has("cpu")) {
                    assertThat(Quantities.of(resources.path("requests").path("cpu")))
                            .as("%s cpu request <= limit", what).isLessThanOrEqualTo(Quantities.of(resources.path("limits").path("cpu")));
                }
                String image = c.path("image").asText();
                assertThat(image.substring(image.lastIndexOf('/') + 1)).as("%s image %s has a tag", what, image).contains(":");
                assertThat(image).as("%s image", what).doesNotEndWith(":latest");
                for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                    JsonNode http = c.path(probe).path("httpGet");
                    if (!http.isMissingNode()) {
                        assertThat(w.resolvePort(http.path("port"))).as("%s %s port %s", what, probe, http.path("port")).isPresent();
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyReferenceNamesAnObjectThatExists(String overlay) {
        Manifests m = Manifests.of(overlay);
        List<String> broken = new ArrayList<>();
        for (Workload w : m.workloads()) {
            JsonNode spec = w.object().path("spec");
            Map<String, String> selector = Workload.strings(spec.path("selector").path("matchLabels"));
            if (selector.isEmpty() || !w.podLabels().entrySet().containsAll(selector.entrySet())) {
                broken.add(w.name() + ": selector " + selector + " does not select its own pods " + w.podLabels());
            }
            if (w.kind().equals("StatefulSet") && m.find("Service", spec.path("serviceName").asText()).isEmpty()) {
                broken.add(w.name() + ": serviceName " + spec.path("serviceName").asText() + " is no Service");
            }
            List<String> volumes = new ArrayList<>();
            w.podSpec().path("volumes").forEach(v -> volumes.add(v.path("name").asText()));
            spec.path("volumeClaimTemplates").forEach(v -> volumes.add(v.path("metadata").path("name").asText()));
            for (JsonNode v : w.podSpec().path("volumes")) {
                for (String kind : List.of("configMap", "secret")) {
                    if (v.has(kind)) {
                        String name = v.path(kind).path(kind.equals("secret") ? "secretName" : "name").asText();
                        String objectKind = kind.equals("secret") ? "Secret" : "ConfigMap";
                        if (m.find(objectKind, name).isEmpty()) {
                            broken.add(w.name() + ": volume " + v.path("name").asText() + " refers to no " + objectKind + " " + name);
                        }
                    }
                }
            }
            for (JsonNode c : w.containers()) {
                c.path("volumeMounts").forEach(vm -> {
                    if (!volumes.contains(vm.path("name").asText())) {
                        broken.add(w.name() + ": volumeMount " + vm.path("name").asText() + " has no volume");
                    }
                });
                try {
                    w.env(c); // resolves every envFrom, configMapKeyRef and secretKeyRef
                } catch (AssertionError e) {
                    broken.add(e.getMessage());
                }
            }
        }
        for (JsonNode service : m.ofKind("Service")) {
            Map<String, String> selector = Workload.strings(service.path("spec").path("selector"));
            List<Workload> selected = m.workloads().stream().filter(w -> w.podLabels().entrySet().containsAll(selector.entrySet())).toList();
            if (selector.isEmpty() || selected.size() != 1) {
                broken.add("Service " + Manifests.name(service) + " selects " + selected.size() + " workloads (one expected)");
                continue;
            }
            for (JsonNode port : service.path("spec").path("ports")) {
                if (selected.get(0).resolvePort(port.path("targetPort")).isEmpty()) {
                    broken.add("Service " + Manifests.name(service) + ": targetPort " + port.path("targetPort") + " is no container port of "
                            + selected.get(0).name());
                }
            }
        }
        for (JsonNode ingress : m.ofKind("Ingress")) {
            for (JsonNode rule : ingress.path("spec").path("rules")) {
                for (JsonNode path : rule.path("http").path("paths")) {
                    JsonNode backend = path.path("backend").path("service");
                    var service = m.find("Service", backend.path("name").asText());
                    boolean portExists = service.isPresent() && service.get().path("spec").path("ports").findValuesAsText("name")
                            .contains(backend.path("port").path("name").asText("-"))
                            || service.isPresent() && service.get().path("spec").path("ports").findValues("port").stream()
                                    .anyMatch(p -> p.asInt() == backend.path("port").path("number").asInt(-1));
                    if (!portExists) {
                        broken.add("Ingress " + Manifests.name(ingress) + ": backend " + backend + " is no Service port");
                    }
                }
            }
        }
        for (JsonNode hpa : m.ofKind("HorizontalPodAutoscaler")) {
            JsonNode ref = hpa.path("spec").path("scaleTargetRef");
            var target = m.find(ref.path("kind").asText(), ref.path("name").asText());
            if (target.isEmpty()) {
                broken.add("HPA " + Manifests.name(hpa) + " scales nothing: " + ref);
            } else if (target.get().path("spec").has("replicas")) {
                broken.add(ref.path("name").asText() + " sets replicas, which would undo its HPA on every apply");
            }
        }
        for (JsonNode pdb : m.ofKind("PodDisruptionBudget")) {
            Map<String, String> selector = Workload.strings(pdb.path("spec").path("selector").path("matchLabels"));
            if (selector.isEmpty() || m.workloads().stream().noneMatch(w -> w.podLabels().entrySet().containsAll(selector.entrySet()))) {
                broken.add("PodDisruptionBudget " + Manifests.name(pdb) + " selects no pods");
            }
        }
        assertThat(broken).as("broken references in %s", overlay).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void kafkaTopicsFitTheCluster(String overlay) {
        Manifests m = Manifests.of(overlay);
        assertThat(m.ofKind("Kafka")).hasSize(1);
        JsonNode kafka = m.ofKind("Kafka").get(0);
        String cluster = Manifests.name(kafka);
        int brokers = 0;
        int controllers = 0;
        for (JsonNode pool : m.ofKind("KafkaNodePool")) {
            assertThat(pool.path("metadata").path("labels").path("strimzi.io/cluster").asText()).as("cluster of pool %s", Manifests.name(pool))
                    .isEqualTo(cluster);
            String roles = pool.path("spec").path("roles").toString();
            brokers += roles.contains("broker") ? pool.path("spec").path("replicas").asInt() : 0;
            controllers += roles.contains("controller") ? pool.path("spec").path("replicas").asInt() : 0;
        }
        assertThat(controllers % 2).as("%s: KRaft controllers (%d) form a majority only in odd numbers", overlay, controllers).isEqualTo(1);
        JsonNode config = kafka.path("spec").path("kafka").path("config");
        for (String rf : List.of("default.replication.factor", "offsets.topic.replication.factor", "transaction.state.log.replication.factor")) {
            assertThat(config.path(rf).asInt()).as("%s: %s with %d brokers", overlay, rf, brokers).isBetween(1, brokers);
        }
        assertThat(config.path("transaction.state.log.min.isr").asInt())
                .isLessThanOrEqualTo(config.path("transaction.state.log.replication.factor").asInt());
        for (JsonNode topic : m.ofKind("KafkaTopic")) {
            String name = Manifests.name(topic);
            assertThat(topic.path("metadata").path("labels").path("strimzi.io/cluster").asText()).as("cluster of topic %s", name).isEqualTo(cluster);
            int replicas = topic.path("spec").path("replicas").asInt();
            int minIsr = topic.path("spec").path("config").path("min.insync.replicas").asInt(config.path("min.insync.replicas").asInt(1));
            assertThat(topic.path("spec").path("partitions").asInt()).as("%s %s partitions", overlay, name).isPositive();
            assertThat(replicas).as("%s %s replicas, with %d brokers", overlay, name, brokers).isBetween(1, brokers);
            assertThat(minIsr).as("%s %s min.insync.replicas (acks=all writes fail above replicas)", overlay, name).isBetween(1, replicas);
            if (replicas > 1) {
                assertThat(minIsr).as("%s %s: one broker down must not stop writes", overlay, name).isLessThan(replicas);
            }
            assertThat(topic.path("spec").path("config").path("retention.ms").asLong()).as("%s %s retention.ms", overlay, name).isPositive();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void secretsAreOnlyTheGeneratedOnesWithoutStrayNewlines(String overlay) {
        for (JsonNode secret : Manifests.of(overlay).ofKind("Secret")) {
            assertThat(Manifests.name(secret)).as("a Secret not made by secretGenerator (committed values?)").matches(".+-[a-z0-9]{10}");
            secret.path("data").fields().forEachRemaining(e -> {
                String value = new String(Base64.getMimeDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8);
                if (!e.getKey().endsWith(".pem")) {
                    assertThat(value).as("%s/%s", Manifests.name(secret), e.getKey()).isNotBlank().isEqualTo(value.strip());
                }
            });
        }
    }

    @Test
    void noKeyOrPasswordIsCommitted() throws IOException {
        try (Stream<Path> files = Files.walk(Repo.K8S)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (Repo.K8S.relativize(file).toString().matches("overlays/[^/]+/secrets/.*")) {
                    continue;
                }
                assertThat(Files.readString(file)).as("%s", file).doesNotContain("PRIVATE KEY").doesNotContainIgnoringCase("password:");
            }
        }
        assertThat(Repo.read(Repo.ROOT.resolve("deploy/.gitignore"))).contains("k8s/overlays/*/secrets/");
    }
}
