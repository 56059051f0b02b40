package dev.switchboard.deploy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The kubectl that builds the overlays ({@code kubectl kustomize}): {@code SWITCHBOARD_KUBECTL} or the
 * first {@code kubectl} on the PATH. Missing, the tests fail: {@code ./switchboard test} installs
 * Debian's kubernetes-client where there is none.
 */
record Kubectl(Path binary) {

    static Kubectl find() {
        String configured = System.getenv("SWITCHBOARD_KUBECTL");
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException("SWITCHBOARD_KUBECTL=" + configured + " is not an executable file");
            }
            return new Kubectl(p);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "kubectl");
            if (Files.isExecutable(p)) {
                return new Kubectl(p);
            }
        }
        throw new IllegalStateException("kubectl is not installed: the deploy tests build the overlays with "
                + "'kubectl kustomize'. ./switchboard test installs Debian's kubernetes-client where it is missing "
                + "(apt-get install kubernetes-client); or set SWITCHBOARD_KUBECTL to a kubectl binary");
    }

    /** More kubectl binaries whose output must equal the first one's: {@code SWITCHBOARD_KUBECTL_COMPARE}, colon-separated. */
    static List<Kubectl> toCompare() {
        List<Kubectl> more = new ArrayList<>();
        String configured = System.getenv("SWITCHBOARD_KUBECTL_COMPARE");
        if (configured != null) {
            for (String path : configured.split(File.pathSeparator)) {
                if (!path.isBlank()) {
                    Path p = Path.of(path.trim());
                    if (!Files.isExecutable(p)) {
                        throw new IllegalStateException("SWITCHBOARD_KUBECTL_COMPARE names " + p + ", which is not an executable file");
                    }
                    more.add(new Kubectl(p));
                }
            }
        }
        return more;
    }

    String version() {
        return run(List.of(binary.toString(), "version", "--client"), null).lines().findFirst().orElse("?");
    }

    /** {@code kubectl kustomize <dir>}: the YAML stream of every object. */
    String kustomize(Path dir) {
        return run(List.of(binary.toString(), "kustomize", dir.toString()), dir);
    }

    static String run(List<String> command, Path workDir) {
        try {
            Path out = Files.createTempFile("kubectl", ".out");
            Path err = Files.createTempFile("kubectl", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
                if (workDir != null) {
                    pb.directory(workDir.toFile());
                }
                Process process = pb.start();
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish within 120 s");
                }
                if (process.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue() + "):\n"
                            + Files.readString(err, StandardCharsets.UTF_8));
                }
                return Files.readString(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
