package dev.switchboard.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The repository this module sits in: the directory that holds {@code mvnw}, found from the working directory up. */
final class Repo {
    static final Path ROOT = findRoot();
    static final Path K8S = ROOT.resolve("deploy/k8s");

    private Repo() {
    }

    private static Path findRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve("deploy/k8s"))) {
                return p;
            }
        }
        throw new IllegalStateException("no directory with mvnw and deploy/k8s above " + dir);
    }

    /** The service modules of the root pom (every module named *-service): each one must be deployed. */
    static List<String> serviceModules() {
        Matcher m = Pattern.compile("<module>([^<]+-service)</module>").matcher(read(ROOT.resolve("pom.xml")));
        List<String> modules = m.results().map(r -> r.group(1)).toList();
        if (modules.isEmpty()) {
            throw new IllegalStateException("no *-service module in the root pom");
        }
        return modules;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> javaSources(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
