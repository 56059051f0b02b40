package dev.switchboard.deploy;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;

/**
 * Reads a built object into its kind's Java model (fabric8's for Kubernetes' own kinds, Strimzi's for
 * its custom resources) so strictly that what the API server would reject fails here: a field the
 * model does not know, a string where a number belongs or the other way round, a property Strimzi
 * has deprecated (the v1 API dropped them). Both models keep unknown fields in an "additional
 * properties" map ({@code @JsonAnySetter}) by default; here that catch-all is switched off.
 */
final class StrictModel {

    /** Strimzi's model serves v1beta2 and v1 with the same classes; the manifests use v1 (Strimzi 0.49+). */
    static final Set<String> STRIMZI_CLASSES = Set.of(Kafka.class.getName(), KafkaNodePool.class.getName(), KafkaTopic.class.getName());

    /** The kinds the manifests may contain, by apiVersion and kind; anything else is an error. */
    static final Map<String, Class<? extends HasMetadata>> KINDS = kinds(
            Namespace.class, ConfigMap.class, Secret.class, Service.class,
            Deployment.class, StatefulSet.class, Ingress.class, NetworkPolicy.class,
            HorizontalPodAutoscaler.class, PodDisruptionBudget.class,
            Kafka.class, KafkaNodePool.class, KafkaTopic.class);

    private static final ObjectMapper MAPPER = strictMapper();

    private StrictModel() {
    }

    @SafeVarargs
    private static Map<String, Class<? extends HasMetadata>> kinds(Class<? extends HasMetadata>... classes) {
        return java.util.Arrays.stream(classes).collect(Collectors.toMap(StrictModel::key, Function.identity()));
    }

    static String key(Class<? extends HasMetadata> type) {
        String apiVersion = HasMetadata.getApiVersion(type);
        if (STRIMZI_CLASSES.contains(type.getName())) {
            apiVersion = HasMetadata.getGroup(type) + "/v1";
        }
        return apiVersion + " " + HasMetadata.getKind(type);
    }

    static ObjectMapper strictMapper() {
        ObjectMapper mapper = JsonMapper.builder()
                .annotationIntrospector(new NoCatchAll())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .build();
        // The API server does not turn "8080" into a number or 8080 into a string: neither may the model.
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        return mapper;
    }

    /** The object read into the model of its apiVersion and kind; fails with the object's name and the reason. */
    static HasMetadata read(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        String kind = object.path("kind").asText();
        String what = apiVersion + " " + kind + " " + object.path("metadata").path("name").asText();
        Class<? extends HasMetadata> type = KINDS.get(apiVersion + " " + kind);
        if (type == null) {
            throw new AssertionError(what + ": not a kind the manifests may contain (known: " + KINDS.keySet() + ")");
        }
        HasMetadata model;
        try {
            model = MAPPER.treeToValue(object, type);
        } catch (Exception e) {
            throw new AssertionError(what + " is not a valid " + kind + ": " + e.getMessage(), e);
        }
        List<String> problems = new ArrayList<>();
        walk(model, what, problems, new IdentityHashMap<>());
        if (!problems.isEmpty()) {
            throw new AssertionError(what + ": " + String.join("; ", problems));
        }
        return model;
    }

    /** Every model object in the tree: no field kept aside as unknown, no deprecated property set. */
    private static void walk(Object value, String path, List<String> problems, Map<Object, Boolean> seen) {
        if (value == null || seen.put(value, Boolean.TRUE) != null) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, problems, seen));
            return;
        }
        if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object v : list) {
                walk(v, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        String pkg = value.getClass().getPackageName();
        if (!pkg.startsWith("io.fabric8.kubernetes.api.model") && !pkg.startsWith("io.strimzi.api")) {
            return;
        }
        Object defaults = defaults(value.getClass());
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || getter.getDeclaringClass() == Object.class
                    || !(getter.getName().startsWith("get") || getter.getName().startsWith("is"))) {
                continue;
            }
            Object v = invoke(getter, value);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add("unknown field(s) " + extra.keySet() + " at " + path);
                }
                continue;
            }
            if (getter.isAnnotationPresent(Deprecated.class) && v != null && !Objects.equals(v, invoke(getter, defaults))
                    && !(v instanceof Collection<?> c && c.isEmpty()) && !(v instanceof Map<?, ?> m && m.isEmpty())) {
                problems.add("deprecated property " + getter.getName() + " at " + path);
            }
            walk(v, path + "." + getter.getName(), problems, seen);
        }
    }

    private static Object defaults(Class<?> type) {
        try {
            return type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    private static Object invoke(Method getter, Object target) {
        if (target == null) {
            return null;
        }
        try {
            return getter.invoke(target);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Jackson without the models' catch-all for unknown fields and without ignoreUnknown. */
    private static final class NoCatchAll extends JacksonAnnotationIntrospector {
        @Override
        public Boolean hasAnySetter(Annotated a) {
            return null;
        }

        @Override
        public JsonIgnoreProperties.Value findPropertyIgnoralByName(MapperConfig<?> config, Annotated a) {
            return super.findPropertyIgnoralByName(config, a).withoutIgnoreUnknown();
        }
    }
}
