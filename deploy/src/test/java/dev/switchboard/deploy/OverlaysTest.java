package dev.switchboard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

/** What distinguishes the overlays: dev runs one of everything, prod runs for availability. */
class OverlaysTest {
    private static final String GATEWAY = "gateway-service";

    @Test
    void devRunsOneReplicaOfEverything() {
        Manifests dev = Manifests.of("dev");
        for (Workload w : dev.workloads()) {
            assertThat(w.object().path("spec").path("replicas").asInt(1)).as("dev replicas of %s", w.name()).isEqualTo(1);
        }
        assertThat(dev.ofKind("HorizontalPodAutoscaler")).isEmpty();
        assertThat(dev.ofKind("KafkaNodePool").stream().mapToInt(p -> p.path("spec").path("replicas").asInt()).sum()).isEqualTo(1);
    }

    @Test
    void prodRunsThreeOrMoreGatewaysUnderAnAutoscaler() {
        Manifests prod = Manifests.of("prod");
        JsonNode hpa = prod.get("HorizontalPodAutoscaler", GATEWAY);
        assertThat(hpa.path("spec").path("scaleTargetRef").path("name").asText()).isEqualTo(GATEWAY);
        assertThat(hpa.path("spec").path("minReplicas").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(hpa.path("spec").path("maxReplicas").asInt()).isGreaterThan(hpa.path("spec").path("minReplicas").asInt());
        assertThat(hpa.path("spec").path("metrics").toString()).contains("\"cpu\"");
        // Scale-in drains sockets: one pod at a time.
        assertThat(hpa.path("spec").path("behavior").path("scaleDown").path("policies").get(0).path("value").asInt()).isEqualTo(1);
        assertThat(prod.workload(GATEWAY).object().path("spec").has("replicas")).as("the HPA owns the gateway's replica count").isFalse();
    }

    @Test
    void prodSpreadsEveryServiceAndBudgetsItsDisruptions() {
        Manifests prod = Manifests.of("prod");
        for (String service : Repo.serviceModules()) {
            Workload w = prod.workload(service);
            if (!service.equals(GATEWAY)) {
                assertThat(w.object().path("spec").path("replicas").asInt()).as("prod replicas of %s", service).isGreaterThanOrEqualTo(2);
            }
            JsonNode terms = w.podSpec().path("affinity").path("podAntiAffinity");
            assertThat(terms.toString()).as("%s anti-affinity", service).contains("kubernetes.io/hostname");
            for (JsonNode term : terms.path("preferredDuringSchedulingIgnoredDuringExecution")) {
                assertThat(Workload.strings(term.path("podAffinityTerm").path("labelSelector").path("matchLabels")))
                        .as("%s anti-affinity selects its own pods", service).containsAllEntriesOf(
                                Workload.strings(w.object().path("spec").path("selector").path("matchLabels")));
            }
            JsonNode pdb = prod.get("PodDisruptionBudget", service);
            assertThat(Workload.strings(pdb.path("spec").path("selector").path("matchLabels")))
                    .isEqualTo(Workload.strings(w.object().path("spec").path("selector").path("matchLabels")));
            assertThat(pdb.path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
        }
    }

    @Test
    void prodKafkaKeepsEveryTopicOnThreeBrokers() {
        Manifests prod = Manifests.of("prod");
        assertThat(prod.ofKind("KafkaNodePool").stream().filter(p -> p.path("spec").path("roles").toString().contains("broker"))
                .mapToInt(p -> p.path("spec").path("replicas").asInt()).sum()).isGreaterThanOrEqualTo(3);
        for (JsonNode topic : prod.ofKind("KafkaTopic")) {
            assertThat(topic.path("spec").path("replicas").asInt()).as("replicas of %s", Manifests.name(topic)).isGreaterThanOrEqualTo(3);
        }
        assertThat(prod.ofKind("Kafka").get(0).path("spec").path("kafka").path("config").path("min.insync.replicas").asInt()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyServiceRunsItsOwnImageAtTheOverlaysTag(String overlay) {
        for (String service : Repo.serviceModules()) {
            List<String> images = Manifests.of(overlay).workload(service).containers().stream().map(c -> c.path("image").asText()).toList();
            assertThat(images).as("%s image in %s", service, overlay).singleElement().asString()
                    .matches("ghcr\\.io/switchboard/" + service + ":[0-9][\\w.-]*");
        }
    }
}
