package dev.switchboard.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Debian's Chromium and its chromedriver, which {@code ./switchboard test} installs where missing
 * (packages {@code chromium} and {@code chromium-driver}); the test fails, never skips, without them.
 */
final class Browser {
    private Browser() {
    }

    static String chromium() {
        return require(System.getenv().getOrDefault("SWITCHBOARD_CHROMIUM", "/usr/bin/chromium"), "chromium").toString();
    }

    static Path chromedriver() {
        return require(System.getenv().getOrDefault("SWITCHBOARD_CHROMEDRIVER", "/usr/bin/chromedriver"), "chromium-driver");
    }

    private static Path require(String location, String debianPackage) {
        Path path = Paths.get(location);
        if (!Files.isExecutable(path)) {
            throw new IllegalStateException(location + " is missing: install Debian's " + debianPackage
                    + " (./switchboard test does it: apt-get install -y chromium chromium-driver)");
        }
        return path;
    }
}
