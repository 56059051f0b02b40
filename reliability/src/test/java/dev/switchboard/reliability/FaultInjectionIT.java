package dev.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.node.ArrayNode;

import dev.switchboard.testsupport.WsClient;

/**
 * Issue 11, faults: the whole suite as real processes (test stack, three data services, two
 * gateways) under a steady mixed load; each fault is done, recovered from, and then checked by
 * {@link Checker}. {@code -Dswitchboard.profile=long} runs every fault of every component and pairs;
 * the default (short) profile a representative subset. Figures: stdout and
 * {@code target/reliability-<profile>.json}.
 */
class FaultInjectionIT {
    /** Every service answers /q/health/ready 200 within this after the fault's recovery began. */
    static final Duration READY_BOUND = Duration.ofSeconds(60);
    private static final int TICKETS = 3;
    private static final int MESSAGES_PER_SECOND = 24;
    private static final List<Checker.Figures> FIGURES = new CopyOnWriteArrayList<>();
    private static final String PROFILE = System.getProperty("switchboard.profile", "short");

    @BeforeAll
    static void suite() {
        long start = System.nanoTime();
        Suite.start();
        System.out.printf("[reliability] suite started in %d ms (profile %s)%n", (System.nanoTime() - start) / 1_000_000,
                PROFILE);
    }

    /**
     * An acked message must survive a kill -9 of PostgreSQL: a stack started before issue 11 ran it with
     * synchronous_commit=off, which acknowledges commits that such a kill then loses. Say so plainly.
     */
    private static void requireCrashSafeStack() {
        try (java.sql.Connection c = Checker.db("chat"); java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("show synchronous_commit")) {
            rs.next();
            assertThat(rs.getString(1)).as("the test stack's PostgreSQL synchronous_commit: this stack predates the"
                    + " fault-injection suite; stop it and start it again (./switchboard stop; ./switchboard stack test)")
                    .isEqualTo("on");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyFaultLosesNothing() {
        List<Fault> faults = "long".equals(PROFILE) ? Fault.longProfile() : Fault.shortProfile();
        String only = System.getProperty("switchboard.faults", "");
        if (!only.isBlank()) {
            List<String> names = List.of(only.split(","));
            faults = faults.stream().filter(f -> names.stream().anyMatch(n -> f.name().contains(n.trim()))).toList();
        }
        return faults.stream().map(fault -> DynamicTest.dynamicTest(fault.name(), () -> run(fault)));
    }

    private static void run(Fault fault) {
        if (fault.name().contains("PostgreSQL")) {
            requireCrashSafeStack();
        }
        // Each fault starts from a whole, ready suite (a failed one before must not be counted here).
        Awaitility.await("every service ready before " + fault.name()).atMost(READY_BOUND)
                .pollInterval(Duration.ofMillis(250)).until(Suite::allReady);
        try (Load load = new Load(fault.name().replaceAll("[^A-Za-z0-9]+", "-"), TICKETS, MESSAGES_PER_SECOND)) {
            load.start();
            load.awaitProgress(3, Duration.ofSeconds(60));

            long faultMillis = fault.run(load);
            // Time to ready again: from the restart (or SIGCONT, or the server's start) until every service is ready.
            long recovering = System.nanoTime();
            fault.recover();
            Awaitility.await("every service ready again after " + fault.name()).atMost(READY_BOUND)
                    .pollInterval(Duration.ofMillis(100)).until(Suite::allReady);
            long readyMillis = (System.nanoTime() - recovering) / 1_000_000;

            // The load goes on after the recovery, then stops with every started message acked.
            load.awaitProgress(5, Duration.ofSeconds(90));
            load.stop(Duration.ofSeconds(90));
            Checker.Figures figures = Checker.check(fault.name(), load, readyMillis, faultMillis);
            FIGURES.add(figures);
            System.out.println("[reliability] " + figures);
            assertThat(figures.lost()).isZero();
            assertThat(figures.duplicates()).isZero();
            assertThat(figures.delivered()).isEqualTo(figures.expectedDeliveries());
            assertThat(Duration.ofMillis(readyMillis)).isLessThanOrEqualTo(READY_BOUND);
        }
    }

    @AfterAll
    static void figures() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%-44s %6s %6s %9s %5s %5s %7s %6s %6s %8s %8s", "fault", "sent", "acked", "delivered",
                "lost", "dups", "resyncs", "filled", "reconn", "fault ms", "ready ms"));
        for (Checker.Figures f : FIGURES) {
            lines.add(String.format("%-44s %6d %6d %9d %5d %5d %7d %6d %6d %8d %8d", f.fault(), f.sent(), f.acked(),
                    f.delivered(), f.lost(), f.duplicates(), f.resyncs(), f.filledFromHistory(), f.reconnects(),
                    f.faultMillis(), f.readyMillis()));
        }
        System.out.println("[reliability] figures (profile " + PROFILE + ", ready bound " + READY_BOUND.toSeconds()
                + " s):\n" + String.join("\n", lines));
        ArrayNode json = WsClient.JSON.createArrayNode();
        FIGURES.forEach(f -> json.add(WsClient.JSON.valueToTree(f)));
        Path out = Paths.get("target", "reliability-" + PROFILE + ".json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, WsClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }
}
