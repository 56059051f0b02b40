package dev.switchboard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * The overlays build to the same objects with every kubectl named in SWITCHBOARD_KUBECTL_COMPARE as
 * with the main one: e.g. Debian's kubectl 1.20 (kustomize v2.0.3, which a fresh Debian machine
 * gets) next to a current one (kustomize v5). Only the generated names' hash suffixes (each
 * kustomize hashes differently) and empty maps may differ.
 */
class KustomizeVersionsTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyKubectlBuildsTheSameObjects(String overlay) {
        List<Kubectl> others = Kubectl.toCompare();
        Assumptions.assumeFalse(others.isEmpty(), "SWITCHBOARD_KUBECTL_COMPARE names no other kubectl");
        java.nio.file.Path copy = Manifests.prepare(overlay); // the same secret files for every build
        Manifests reference = Manifests.build(Kubectl.find(), overlay, copy);
        Map<String, JsonNode> expected = normalised(reference);
        for (Kubectl other : others) {
            Map<String, JsonNode> actual = normalised(Manifests.build(other, overlay, copy));
            assertThat(actual.keySet()).as("objects built by %s (%s) vs %s", other.binary(), other.version(), reference.kubectl().binary())
                    .isEqualTo(expected.keySet());
            expected.forEach((key, object) -> assertThat(actual.get(key)).as("%s built by %s", key, other.binary()).isEqualTo(object));
        }
    }

    private static Map<String, JsonNode> normalised(Manifests m) {
        Map<String, JsonNode> byKey = new TreeMap<>();
        for (JsonNode object : m.objects()) {
            JsonNode copy = normalise(object.deepCopy());
            byKey.put(copy.path("kind").asText() + " " + copy.path("metadata").path("namespace").asText() + "/"
                    + copy.path("metadata").path("name").asText(), copy);
        }
        return byKey;
    }

    /** Without generated names' hash suffixes, empty maps, and secret data compared by meaning, not line folding. */
    private static JsonNode normalise(JsonNode node) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                JsonNode value = normalise(e.getValue());
                if (value.isObject() && value.isEmpty()) {
                    fields.remove();
                } else {
                    e.setValue(value);
                }
            }
            return object;
        }
        if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, normalise(array.get(i)));
            }
            return array;
        }
        if (node.isTextual()) {
            String text = node.asText();
            if (text.matches("[a-z0-9.-]+-[a-z0-9]{10}")) {
                return new TextNode(text.substring(0, text.length() - 11));
            }
            if (text.matches("[A-Za-z0-9+/=\\s]{40,}")) {
                return new TextNode(text.replaceAll("\\s", ""));
            }
        }
        return node;
    }
}
