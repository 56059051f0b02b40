package dev.switchboard.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a service module reads, from its sources: application.properties (with profiles), the
 * {@code @ConfigMapping} interfaces of the module and of the libraries it depends on, its pom.
 */
record ServiceModule(String name, Path dir) {
    private static final Pattern PROFILED = Pattern.compile("^%([A-Za-z0-9_,-]+)\\.(.+)$");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}:]+)(:[^}]*)?}");
    private static final Pattern TOPIC_LITERAL = Pattern.compile(
            "\"(switchboard\\.(?:[a-z0-9-]+\\.)?[a-z0-9-]+-(?:events|requests)(?:\\.dlq)?)\"");

    static ServiceModule of(String name) {
        Path dir = Repo.ROOT.resolve(name);
        if (!Files.isRegularFile(dir.resolve("src/main/resources/application.properties"))) {
            throw new AssertionError(name + " has no src/main/resources/application.properties");
        }
        return new ServiceModule(name, dir);
    }

    static List<ServiceModule> all() {
        return Repo.serviceModules().stream().map(ServiceModule::of).toList();
    }

    /** MicroProfile Config's environment variable for a property: upper case, every non-alphanumeric an underscore. */
    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(java.util.Locale.ROOT);
    }

    /** Every line of application.properties: property (without profile) to its value, per profile ("" = none). */
    Map<String, Map<String, String>> propertiesByProfile() {
        Properties raw = new Properties();
        try {
            raw.load(new StringReader(Repo.read(dir.resolve("src/main/resources/application.properties"))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Map<String, String>> byProfile = new LinkedHashMap<>();
        for (String key : new TreeSet<>(raw.stringPropertyNames())) {
            Matcher m = PROFILED.matcher(key);
            if (m.matches()) {
                for (String profile : m.group(1).split(",")) {
                    byProfile.computeIfAbsent(profile, p -> new LinkedHashMap<>()).put(m.group(2), raw.getProperty(key));
                }
            } else {
                byProfile.computeIfAbsent("", p -> new LinkedHashMap<>()).put(key, raw.getProperty(key));
            }
        }
        return byProfile;
    }

    /** The properties in force in the prod profile (what a packaged service runs with): unprofiled, then %prod. */
    Map<String, String> prodProperties() {
        Map<String, Map<String, String>> all = propertiesByProfile();
        Map<String, String> prod = new LinkedHashMap<>(all.getOrDefault("", Map.of()));
        prod.putAll(all.getOrDefault("prod", Map.of()));
        return prod;
    }

    String prodValue(String property, String defaultValue) {
        return prodProperties().getOrDefault(property, defaultValue);
    }

    /** Names referenced as {@code ${name}} or {@code ${name:default}} by values in force in prod; true when without default. */
    Map<String, Boolean> prodPlaceholders() {
        Map<String, Boolean> names = new LinkedHashMap<>();
        for (String value : prodProperties().values()) {
            PLACEHOLDER.matcher(value).results().forEach(r -> names.merge(r.group(1), r.group(2) == null, Boolean::logicalOr));
        }
        return names;
    }

    String pom() {
        return Repo.read(dir.resolve("pom.xml"));
    }

    boolean dependsOn(String artifactId) {
        return pom().contains("<artifactId>" + artifactId + "</artifactId>");
    }

    /** This module's Java sources and those of the project's libraries it depends on (libs/*). */
    List<Path> sourceRoots() {
        List<Path> roots = new ArrayList<>();
        roots.add(dir.resolve("src/main/java"));
        libraries().forEach(lib -> roots.add(lib.resolve("src/main/java")));
        return roots;
    }

    List<Path> resourceRoots() {
        List<Path> roots = new ArrayList<>();
        roots.add(dir.resolve("src/main/resources"));
        libraries().forEach(lib -> roots.add(lib.resolve("src/main/resources")));
        return roots;
    }

    private List<Path> libraries() {
        try (Stream<Path> libs = Files.list(Repo.ROOT.resolve("libs"))) {
            return libs.filter(lib -> Files.isRegularFile(lib.resolve("pom.xml")))
                    .filter(lib -> dependsOn(artifactId(lib.resolve("pom.xml"))))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String artifactId(Path pom) {
        String text = Repo.read(pom);
        Matcher m = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(text.substring(Math.max(0, text.indexOf("</parent>"))));
        if (!m.find()) {
            throw new IllegalStateException("no artifactId in " + pom);
        }
        return m.group(1);
    }

    /**
     * The property names of every {@code @ConfigMapping} the service has (its own and its libraries'),
     * e.g. switchboard.gateway.drain.window, with its default (or null); a map member ends in {@code .*}.
     */
    Map<String, String> configMappingProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        for (Path root : sourceRoots()) {
            for (Path file : Repo.javaSources(root)) {
                properties.putAll(ConfigMappings.properties(Repo.read(file)));
            }
        }
        return properties;
    }

    /** A property's value in prod: application.properties, else the @ConfigMapping default, else the given one. */
    String effective(String property, String defaultValue) {
        String value = prodProperties().get(property);
        if (value == null) {
            value = configMappingProperties().get(property);
        }
        return value == null ? defaultValue : value;
    }

    /** Environment variable names that the service reads in prod. */
    boolean readsEnv(String env) {
        for (String property : prodProperties().keySet()) {
            if (envName(property).equals(env)) {
                return true;
            }
        }
        for (String name : prodPlaceholders().keySet()) {
            if (name.equals(env) || envName(name).equals(env)) {
                return true;
            }
        }
        for (String property : configMappingProperties().keySet()) {
            if (property.endsWith(".*") ? env.startsWith(envName(property.substring(0, property.length() - 2)) + "_")
                    : envName(property).equals(env)) {
                return true;
            }
        }
        return false;
    }

    /** Topics named in application.properties (any profile): every channel's topic and dead-letter topic. */
    Set<String> configuredTopics() {
        Set<String> topics = new TreeSet<>();
        propertiesByProfile().values().forEach(props -> props.forEach((k, v) -> {
            if (k.startsWith("mp.messaging.") && k.endsWith(".topic")) {
                topics.add(v.trim());
            }
        }));
        return topics;
    }

    /** Topic names that are string constants in the service's Java code and its libraries'. */
    Set<String> topicsInCode() {
        Set<String> topics = new TreeSet<>();
        for (Path root : sourceRoots()) {
            for (Path file : Repo.javaSources(root)) {
                TOPIC_LITERAL.matcher(Repo.read(file)).results().forEach(r -> topics.add(r.group(1)));
            }
        }
        return topics;
    }

    static Set<String> topicsInCode(Path sourceRoot) {
        Set<String> topics = new TreeSet<>();
        for (Path file : Repo.javaSources(sourceRoot)) {
            TOPIC_LITERAL.matcher(Repo.read(file)).results().forEach(r -> topics.add(r.group(1)));
        }
        return topics;
    }

    /** The directories of quarkus.flyway.locations, found in this module's resources or its libraries'. */
    List<Path> migrationDirs() {
        String locations = prodProperties().get("quarkus.flyway.locations");
        if (locations == null) {
            return List.of();
        }
        List<Path> dirs = new ArrayList<>();
        for (String location : locations.split(",")) {
            String rel = location.trim().replaceFirst("^classpath:", "");
            dirs.add(resourceRoots().stream().map(r -> r.resolve(rel)).filter(Files::isDirectory).findFirst()
                    .orElseThrow(() -> new AssertionError(name + ": flyway location " + rel + " is in none of " + resourceRoots())));
        }
        return dirs;
    }
}
