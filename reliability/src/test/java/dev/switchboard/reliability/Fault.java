package dev.switchboard.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.awaitility.Awaitility;

import dev.switchboard.testsupport.TestStack;

/**
 * One fault: how it is done to a component (or two), when it counts as felt, and how the
 * component comes back. Service processes are killed with SIGKILL and started again on their port,
 * or paused with SIGSTOP and resumed with SIGCONT; the stack's servers go through its control port.
 */
record Fault(String name, List<Step> steps) {
    /** What is done to one component. */
    record Step(String component, Runnable inject, BooleanSupplier felt, Runnable recover) {
    }

    /** How long a paused component stays paused: long enough for clients' 5 s request timeout to fire. */
    static final Duration PAUSE = Duration.ofSeconds(7);

    static Step killService(String service) {
        return new Step(service, () -> Suite.kill(service), () -> !Suite.ready(service), () -> Suite.startService(service));
    }

    static Step pauseService(String service) {
        return new Step(service, () -> Suite.pause(service), () -> !Suite.ready(service), () -> Suite.resume(service));
    }

    /** A stack server killed and started again; felt when a service that needs it reports not ready. */
    static Step killServer(String server) {
        return new Step(server, () -> killAndAwaitGone(server), notReady(server), () -> TestStack.control(server, "start"));
    }

    /**
     * A kill is over when the server's processes are gone. The stack's own kill waits for that since
     * the fix of issue 11 (a PostgreSQL started while the killed one still exited found its
     * postmaster.pid held and refused to start); a test stack started before that fix does not, so the
     * test waits for it too.
     */
    private static void killAndAwaitGone(String server) {
        // Kafka's command line names no port; its lock is a file lock, which goes with the process.
        String marker = switch (server) {
            case "postgres" -> "-p " + TestStack.PROFILE.postgresPort + " ";
            case "redis" -> "--port " + TestStack.PROFILE.redisPort + " ";
            default -> null;
        };
        List<Long> pids = marker == null ? List.of() : ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .map(ProcessHandle::pid).toList();
        TestStack.control(server, "kill");
        Awaitility.await(server + " processes " + pids + " are gone").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> pids.stream().noneMatch(pid -> java.nio.file.Files.exists(java.nio.file.Path.of("/proc/" + pid))));
    }

    static Step pauseServer(String server) {
        return new Step(server, () -> TestStack.control(server, "pause"), notReady(server),
                () -> TestStack.control(server, "resume"));
    }

    private static BooleanSupplier notReady(String server) {
        List<String> dependants = switch (server) {
            case "postgres" -> List.of(Suite.TICKET, Suite.CHAT, Suite.NOTIFICATION);
            default -> List.of(Suite.GATEWAY_1, Suite.GATEWAY_2);
        };
        return () -> dependants.stream().anyMatch(s -> !Suite.ready(s));
    }

    static Fault of(String name, Step... steps) {
        return new Fault(name, List.of(steps));
    }

    boolean paused() {
        return name.startsWith("SIGSTOP");
    }

    /**
     * Does the fault, waits until it is felt (a service reports not ready), keeps it for as long as it
     * lasts — a paused process for {@link #PAUSE}, measured by the load having gone on meanwhile.
     * Returns the milliseconds from the fault to the moment it is over and the recovery may begin.
     */
    long run(Load load) {
        long start = System.nanoTime();
        steps.forEach(s -> s.inject().run());
        List<Step> felt = new ArrayList<>(steps);
        Awaitility.await(name + " is felt").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> felt.stream().allMatch(s -> s.felt().getAsBoolean()));
        if (paused()) {
            // A hang lasts as long as it lasts: the load goes on against it meanwhile.
            int attempts = load.attempts.get();
            Awaitility.await(name + " lasts " + PAUSE.toSeconds() + " s under load").atMost(PAUSE.plusSeconds(30))
                    .pollDelay(PAUSE).pollInterval(Duration.ofMillis(200))
                    .until(() -> load.attempts.get() >= attempts);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Starts again (or resumes) what the fault stopped, in the order it was stopped. */
    void recover() {
        steps.forEach(s -> s.recover().run());
    }

    static final String[] SERVERS = { "postgres", "redis", "kafka" };

    /** The CI profile: a representative subset, about 4 minutes: each kind of fault and each server. */
    static List<Fault> shortProfile() {
        return List.of(
                of("SIGKILL gateway-1", killService(Suite.GATEWAY_1)),
                of("SIGKILL chat-service", killService(Suite.CHAT)),
                of("SIGSTOP gateway-2", pauseService(Suite.GATEWAY_2)),
                of("kill+start Kafka", killServer("kafka")),
                of("kill+start Redis", killServer("redis")),
                of("kill+start PostgreSQL", killServer("postgres")),
                of("SIGKILL gateway-1 + chat-service", killService(Suite.GATEWAY_1), killService(Suite.CHAT)));
    }

    /** Every single fault of every component, and pairs. */
    static List<Fault> longProfile() {
        List<Fault> faults = new ArrayList<>();
        for (String service : Suite.SERVICES) {
            faults.add(of("SIGKILL " + service, killService(service)));
        }
        for (String service : Suite.SERVICES) {
            faults.add(of("SIGSTOP " + service, pauseService(service)));
        }
        for (String server : SERVERS) {
            faults.add(of("kill+start " + label(server), killServer(server)));
        }
        for (String server : SERVERS) {
            faults.add(of("SIGSTOP " + label(server), pauseServer(server)));
        }
        faults.add(of("SIGKILL gateway-1 + gateway-2", killService(Suite.GATEWAY_1), killService(Suite.GATEWAY_2)));
        faults.add(of("SIGKILL gateway-1 + chat-service", killService(Suite.GATEWAY_1), killService(Suite.CHAT)));
        faults.add(of("SIGKILL ticket-service + chat-service", killService(Suite.TICKET), killService(Suite.CHAT)));
        faults.add(of("SIGKILL chat-service + notification-service", killService(Suite.CHAT),
                killService(Suite.NOTIFICATION)));
        faults.add(of("SIGKILL gateway-2 + notification-service", killService(Suite.GATEWAY_2),
                killService(Suite.NOTIFICATION)));
        faults.add(of("kill+start Kafka + Redis", killServer("kafka"), killServer("redis")));
        faults.add(of("kill+start PostgreSQL + Kafka", killServer("postgres"), killServer("kafka")));
        faults.add(of("kill+start Redis + SIGKILL gateway-1", killServer("redis"), killService(Suite.GATEWAY_1)));
        faults.add(of("kill+start PostgreSQL + SIGKILL chat-service", killServer("postgres"), killService(Suite.CHAT)));
        return faults;
    }

    private static String label(String server) {
        return switch (server) {
            case "postgres" -> "PostgreSQL";
            case "redis" -> "Redis";
            default -> "Kafka";
        };
    }
}
