package dev.switchboard.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker's class path leaves out Quarkus and the JBoss LogManager, also where a jar's manifest names
 * them ({@code java -jar load-tests.jar}): with them, Kafka logged a TRACE line for every request.
 */
class KafkaBrokerClassPathTest {
    @TempDir
    Path dir;

    @Test
    void quarkusAndJBossLogManagerJarsAreLeftOut() throws IOException {
        Path kafka = jar("kafka_2.13-4.1.1.jar", null);
        Path simple = jar("slf4j-simple-2.0.17.jar", null);
        Path runner = jar("quarkus-bootstrap-runner-3.34.2.jar", null);
        Path logManager = jar("jboss-logmanager-3.2.1.Final.jar", null);
        Path binding = jar("slf4j-jboss-logmanager-2.0.2.Final.jar", null);

        assertEquals(paths(kafka, simple), KafkaBroker.brokerClassPath(paths(kafka, runner, logManager, binding, simple)));
    }

    @Test
    void aManifestClassPathIsFollowedAndItsJarReplacedWhenItNamesALeftOutJar() throws IOException {
        Path kafka = jar("kafka_2.13-4.1.1.jar", null);
        Path stack = jar("switchboard-local-stack.jar", null);
        jar("quarkus-bootstrap-runner-3.34.2.jar", null);
        jar("slf4j-jboss-logmanager-2.0.2.Final.jar", null);
        // As load-tests.jar: its manifest names the broker's jars and Quarkus'; the JVM would read that list again.
        Path bench = jar("load-tests.jar", "switchboard-local-stack.jar quarkus-bootstrap-runner-3.34.2.jar "
                + "kafka_2.13-4.1.1.jar slf4j-jboss-logmanager-2.0.2.Final.jar missing.jar");

        assertEquals(paths(stack, kafka), KafkaBroker.brokerClassPath(bench.toString()));
    }

    @Test
    void aJarWhoseManifestNamesOnlyKeptJarsStays() throws IOException {
        Path kafka = jar("kafka_2.13-4.1.1.jar", null);
        // As local-stack.jar, started by ./switchboard stack.
        Path stack = jar("local-stack.jar", "kafka_2.13-4.1.1.jar");

        assertEquals(paths(stack, kafka), KafkaBroker.brokerClassPath(stack.toString()));
    }

    @Test
    void manifestEntriesAreUrlsAbsoluteOrRelativeToTheJar() throws IOException {
        Path kafka = jar("kafka_2.13-4.1.1.jar", null);
        Path runner = jar("quarkus-bootstrap-runner-3.34.2.jar", null);
        Files.createDirectories(dir.resolve("lib dir"));
        Path spaced = jar("lib dir/kafka-server-4.1.1.jar", null);
        // As surefire's booter jar: absolute file: URLs.
        Path booter = jar("surefirebooter.jar", kafka.toUri() + " " + runner.toUri() + " lib%20dir/kafka-server-4.1.1.jar");

        assertEquals(paths(kafka, spaced), KafkaBroker.brokerClassPath(booter.toString()));
    }

    private Path jar(String name, String classPath) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (classPath != null) {
            manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        }
        Path jar = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // a manifest is all these jars need
        }
        return jar;
    }

    private static String paths(Path... jars) {
        return String.join(File.pathSeparator, List.of(jars).stream().map(Path::toString).toList());
    }
}
