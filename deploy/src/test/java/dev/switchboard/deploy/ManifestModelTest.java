package dev.switchboard.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Both overlays build, and every object in them is a valid object of its kind, Strimzi's included. */
class ManifestModelTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyObjectIsAValidObjectOfItsKind(String overlay) {
        Manifests manifests = Manifests.of(overlay);
        List<String> failures = new ArrayList<>();
        Set<String> kinds = new TreeSet<>();
        for (JsonNode object : manifests.objects()) {
            try {
                HasMetadata model = StrictModel.read(object);
                assertThat(model.getMetadata().getName()).as("name of %s", object).isNotBlank();
                kinds.add(model.getKind());
            } catch (AssertionError e) {
                failures.add(e.getMessage());
            }
        }
        assertThat(failures).as("objects of %s that are not valid", overlay).isEmpty();
        assertThat(kinds).as("kinds in %s", overlay).contains("Deployment", "StatefulSet", "Service", "ConfigMap",
                "Secret", "Ingress", "NetworkPolicy", "Kafka", "KafkaNodePool", "KafkaTopic", "Namespace");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyNamespacedObjectIsInTheOverlaysNamespace(String overlay) {
        Manifests manifests = Manifests.of(overlay);
        JsonNode namespace = manifests.ofKind("Namespace").get(0);
        assertThat(manifests.ofKind("Namespace")).hasSize(1);
        for (JsonNode object : manifests.objects()) {
            if (!object.path("kind").asText().equals("Namespace")) {
                assertThat(object.path("metadata").path("namespace").asText())
                        .as("namespace of %s %s", object.path("kind").asText(), Manifests.name(object))
                        .isEqualTo(Manifests.name(namespace));
            }
        }
    }

    // The validator itself: each mistake below is one the API server (or Strimzi) would refuse.

    @Test
    void aMisspelledFieldIsRejected() {
        ObjectNode deployment = copyOf("Deployment", "ticket-service");
        ((ObjectNode) deployment.path("spec").path("template").path("spec").path("containers").get(0))
                .set("livenessProbes", deployment.path("spec").path("template").path("spec").path("containers").get(0).path("livenessProbe"));
        assertThatThrownBy(() -> StrictModel.read(deployment)).hasMessageContaining("livenessProbes");
    }

    @Test
    void aMisspelledFieldInAStrimziResourceIsRejected() {
        ObjectNode kafka = copyOf("Kafka", "switchboard");
        ((ObjectNode) kafka.path("spec").path("kafka")).put("listner", "plain");
        assertThatThrownBy(() -> StrictModel.read(kafka)).hasMessageContaining("listner");

        ObjectNode topic = copyOf("KafkaTopic", "switchboard.ticket-events");
        ((ObjectNode) topic.path("spec")).put("replication", 3);
        assertThatThrownBy(() -> StrictModel.read(topic)).hasMessageContaining("replication");
    }

    @Test
    void aNumberWrittenAsTextIsRejected() {
        ObjectNode service = copyOf("Service", "ticket-service");
        ((ObjectNode) service.path("spec").path("ports").get(0)).put("port", "8081");
        assertThatThrownBy(() -> StrictModel.read(service)).hasMessageContaining("port");

        ObjectNode deployment = copyOf("Deployment", "ticket-service");
        ((ObjectNode) deployment.path("spec").path("template").path("metadata").path("annotations")).put("prometheus.io/port", 8081);
        assertThatThrownBy(() -> StrictModel.read(deployment)).hasMessageContaining("prometheus.io/port");
    }

    @Test
    void aDeprecatedStrimziPropertyIsRejected() {
        ObjectNode kafka = copyOf("Kafka", "switchboard");
        ((ObjectNode) kafka.path("spec").path("kafka")).put("replicas", 3); // v1beta2 only: node pools own the count
        assertThatThrownBy(() -> StrictModel.read(kafka)).hasMessageContaining("deprecated");
    }

    @Test
    void anUnknownKindIsRejected() {
        ObjectNode cluster = Manifests.parse("""
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata:
                  name: postgres
                spec:
                  instances: 3
                """).get(0).deepCopy();
        assertThatThrownBy(() -> StrictModel.read(cluster)).hasMessageContaining("not a kind");
    }

    private static ObjectNode copyOf(String kind, String name) {
        return Manifests.of("prod").get(kind, name).deepCopy();
    }
}
