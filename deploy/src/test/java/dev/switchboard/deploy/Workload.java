package dev.switchboard.deploy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/** A Deployment or StatefulSet of a built overlay, with what the tests ask of its pods. */
record Workload(Manifests manifests, JsonNode object) {
    private static final Pattern DEPENDENT_VAR = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    String kind() {
        return object.path("kind").asText();
    }

    String name() {
        return Manifests.name(object);
    }

    String namespace() {
        return object.path("metadata").path("namespace").asText();
    }

    JsonNode podSpec() {
        return object.path("spec").path("template").path("spec");
    }

    Map<String, String> podLabels() {
        return strings(object.path("spec").path("template").path("metadata").path("labels"));
    }

    Map<String, String> podAnnotations() {
        return strings(object.path("spec").path("template").path("metadata").path("annotations"));
    }

    List<JsonNode> containers() {
        List<JsonNode> list = new ArrayList<>();
        podSpec().path("containers").forEach(list::add);
        return list;
    }

    JsonNode container(String name) {
        return containers().stream().filter(c -> c.path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name() + " has no container " + name));
    }

    /** Every container port of the pod: name (or the number as text when unnamed) to number. */
    Map<String, Integer> ports() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (JsonNode c : containers()) {
            for (JsonNode p : c.path("ports")) {
                int number = p.path("containerPort").asInt();
                ports.put(p.hasNonNull("name") ? p.path("name").asText() : Integer.toString(number), number);
            }
        }
        return ports;
    }

    /** A port as a probe, Service or NetworkPolicy names it (a number or a container port's name), as a number. */
    Optional<Integer> resolvePort(JsonNode port) {
        if (port.isInt()) {
            return ports().containsValue(port.asInt()) ? Optional.of(port.asInt()) : Optional.empty();
        }
        return Optional.ofNullable(ports().get(port.asText()));
    }

    /**
     * The container's environment as the kubelet builds it: envFrom (ConfigMaps, Secrets) first, then
     * env, a later one replacing an earlier one; {@code $(VAR)} references expanded. A value that is
     * only known at run time (fieldRef) is null.
     */
    Map<String, EnvVar> env(JsonNode container) {
        Map<String, EnvVar> env = new LinkedHashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            String prefix = from.path("prefix").asText("");
            if (from.has("configMapRef")) {
                String name = from.path("configMapRef").path("name").asText();
                JsonNode cm = manifests.get("ConfigMap", name);
                cm.path("data").fields().forEachRemaining(e -> env.put(prefix + e.getKey(),
                        new EnvVar(prefix + e.getKey(), e.getValue().asText(), "ConfigMap " + name)));
            } else if (from.has("secretRef")) {
                String name = from.path("secretRef").path("name").asText();
                JsonNode secret = manifests.get("Secret", name);
                secret.path("data").fields().forEachRemaining(e -> env.put(prefix + e.getKey(),
                        new EnvVar(prefix + e.getKey(), decode(e.getValue().asText()), "Secret " + name)));
            } else {
                throw new AssertionError(name() + ": envFrom of an unknown kind: " + from);
            }
        }
        for (JsonNode e : container.path("env")) {
            String name = e.path("name").asText();
            JsonNode valueFrom = e.path("valueFrom");
            if (e.has("value")) {
                env.put(name, new EnvVar(name, expand(e.path("value").asText(), env), "value"));
            } else if (valueFrom.has("configMapKeyRef")) {
                JsonNode ref = valueFrom.path("configMapKeyRef");
                JsonNode data = manifests.get("ConfigMap", ref.path("name").asText()).path("data");
                if (!data.has(ref.path("key").asText())) {
                    throw new AssertionError(name() + ": env " + name + " refers to a key the ConfigMap does not have: " + ref);
                }
                env.put(name, new EnvVar(name, data.path(ref.path("key").asText()).asText(), "ConfigMap " + ref.path("name").asText()));
            } else if (valueFrom.has("secretKeyRef")) {
                JsonNode ref = valueFrom.path("secretKeyRef");
                JsonNode data = manifests.get("Secret", ref.path("name").asText()).path("data");
                if (!data.has(ref.path("key").asText())) {
                    throw new AssertionError(name() + ": env " + name + " refers to a key the Secret does not have: " + ref);
                }
                env.put(name, new EnvVar(name, decode(data.path(ref.path("key").asText()).asText()), "Secret " + ref.path("name").asText()));
            } else if (valueFrom.has("fieldRef") || valueFrom.has("resourceFieldRef")) {
                env.put(name, new EnvVar(name, null, "field"));
            } else {
                throw new AssertionError(name() + ": env " + name + " has no value: " + e);
            }
        }
        return env;
    }

    /** Names used as {@code $(NAME)} in the container's env values, command or args. */
    static List<String> dependentVariables(JsonNode container) {
        List<String> names = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        container.path("env").forEach(e -> texts.add(e.path("value").asText("")));
        container.path("command").forEach(c -> texts.add(c.asText()));
        container.path("args").forEach(a -> texts.add(a.asText()));
        for (String text : texts) {
            DEPENDENT_VAR.matcher(text).results().forEach(r -> names.add(r.group(1)));
        }
        return names;
    }

    private static String expand(String value, Map<String, EnvVar> defined) {
        Matcher m = DEPENDENT_VAR.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            EnvVar var = defined.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(var == null || var.value() == null ? m.group() : var.value()));
        }
        return m.appendTail(out).toString();
    }

    private static String decode(String base64) {
        return new String(Base64.getMimeDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    static Map<String, String> strings(JsonNode map) {
        Map<String, String> out = new LinkedHashMap<>();
        map.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    record EnvVar(String name, String value, String source) {
    }
}
