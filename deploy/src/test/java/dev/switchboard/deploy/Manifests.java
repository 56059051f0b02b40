package dev.switchboard.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * One overlay as {@code kubectl kustomize} builds it: every object, as parsed YAML. The build runs on
 * a copy of deploy/k8s without anyone's secrets/ directories, whose secret files are made by
 * create-secrets.sh, as ops make them (with a public key generated here).
 */
record Manifests(String overlay, Kubectl kubectl, List<JsonNode> objects) {
    static final List<String> OVERLAYS = List.of("dev", "prod");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Map<String, Manifests> BUILT = new ConcurrentHashMap<>();

    /** The overlay built by the kubectl of {@link Kubectl#find()}, once per test JVM. */
    static Manifests of(String overlay) {
        return BUILT.computeIfAbsent(overlay, o -> build(Kubectl.find(), o));
    }

    static Manifests build(Kubectl kubectl, String overlay) {
        return build(kubectl, overlay, prepare(overlay));
    }

    /** The overlay built from a copy made by {@link #prepare}. */
    static Manifests build(Kubectl kubectl, String overlay, Path copy) {
        return new Manifests(overlay, kubectl, parse(kubectl.kustomize(copy.resolve("overlays").resolve(overlay))));
    }

    /** A copy of deploy/k8s with the overlay's secret files made by create-secrets.sh. */
    static Path prepare(String overlay) {
        Path copy = copyOfK8s();
        Kubectl.run(List.of("bash", copy.resolve("create-secrets.sh").toString(), overlay, publicKeyPem(copy).toString()), copy);
        return copy;
    }

    static List<JsonNode> parse(String yaml) {
        List<JsonNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                    objects.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return objects;
    }

    private static Path copyOfK8s() {
        try {
            Path target = Files.createTempDirectory("k8s");
            try (Stream<Path> files = Files.walk(Repo.K8S)) {
                for (Path source : files.toList()) {
                    Path rel = Repo.K8S.relativize(source);
                    if (rel.getNameCount() >= 3 && rel.getName(0).toString().equals("overlays")
                            && rel.getName(2).toString().equals("secrets")) {
                        continue; // someone's real secrets: never copied, never read
                    }
                    Path dest = target.resolve(rel.toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(dest);
                    } else {
                        Files.copy(source, dest, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path publicKeyPem(Path dir) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(generator.generateKeyPair().getPublic().getEncoded());
            Path pem = dir.resolve("test-public.pem");
            Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n");
            return pem;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<JsonNode> ofKind(String kind) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    /** The object of this kind and exact name (references in a built overlay carry generated names' hashes). */
    Optional<JsonNode> find(String kind, String name) {
        return ofKind(kind).stream().filter(o -> name(o).equals(name)).findFirst();
    }

    JsonNode get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError(overlay + ": no " + kind + " " + name));
    }

    /** A generated ConfigMap or Secret by the name it has in the kustomization (before the hash suffix). */
    JsonNode generated(String kind, String baseName) {
        List<JsonNode> found = ofKind(kind).stream()
                .filter(o -> name(o).equals(baseName) || name(o).matches(java.util.regex.Pattern.quote(baseName) + "-[a-z0-9]{10}"))
                .toList();
        if (found.size() != 1) {
            throw new AssertionError(overlay + ": expected one " + kind + " " + baseName + ", found " + found.size());
        }
        return found.get(0);
    }

    /** Deployments and StatefulSets. */
    List<Workload> workloads() {
        return objects.stream()
                .filter(o -> o.path("kind").asText().equals("Deployment") || o.path("kind").asText().equals("StatefulSet"))
                .map(o -> new Workload(this, o))
                .toList();
    }

    Workload workload(String name) {
        return workloads().stream().filter(w -> w.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": no Deployment or StatefulSet " + name));
    }

    static String name(JsonNode object) {
        return object.path("metadata").path("name").asText();
    }
}
