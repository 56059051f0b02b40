package dev.switchboard.bench;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The benchmark's command line (SPEC §9): {@code ./switchboard bench <scenario> [--name=value ...]}.
 * Starts what the scenario needs (the test stack, the services, the gateway, the baseline), prints
 * progress on stderr and the figures as JSON on stdout, and writes them with a latency chart to
 * {@code target/bench/}. Scenarios and their parameters: BENCHMARKS.md.
 */
public final class Bench {
    private static final Set<String> COMMON = Set.of("out", "client-threads", "gateway-heap", "gateway-set", "services-set",
            "jfr", "native-transport", "gc");
    /** The scenarios, in the usage's order, and their parameters (defaults are where each scenario reads them). */
    static final Map<String, Set<String>> PARAMETERS = new LinkedHashMap<>();
    static {
        PARAMETERS.put("fanout", with("shapes", "paths", "rates", "step-seconds", "grace-ms", "slo-ms", "fixed-rate",
                "users", "warmup-seconds", "kafka-warmup-seconds", "emit-batch"));
        PARAMETERS.put("chat", with("users", "tickets", "rates", "seconds", "grace-ms", "warmup-seconds", "warmup-rate"));
        PARAMETERS.put("idle", with("connections", "sources", "users", "concurrency"));
        PARAMETERS.put("churn", with("clients", "seconds", "tickets"));
        PARAMETERS.put("recovery", with("clients", "rooms", "seconds", "rate", "drop-every-ms", "max-down-ms"));
    }
    static final List<String> SCENARIOS = List.copyOf(PARAMETERS.keySet());

    private static Set<String> with(String... names) {
        Set<String> all = new java.util.TreeSet<>(COMMON);
        all.addAll(List.of(names));
        return all;
    }

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !SCENARIOS.contains(args[0])) {
            System.err.println("usage: ./switchboard bench <" + String.join("|", SCENARIOS) + "> [--name=value ...]");
            System.exit(2);
        }
        // The generator's Kafka clients log through SLF4J's simple logger, warnings and errors only. The class path
        // also has the JBoss LogManager (from test-support), which Quarkus' start-up configuration opens to every
        // level: a client would format and queue a TRACE line for each request.
        System.setProperty("slf4j.provider", System.getProperty("slf4j.provider", "org.slf4j.simple.SimpleServiceProvider"));
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        Params params = Params.parse(args, 1);
        Map<String, String> gatewaySettings = null;
        Map<String, String> servicesSettings = null;
        try {
            params.checkKnown(PARAMETERS.get(args[0]));
            if (!Env.GCS.contains(params.str("gc", "parallel"))) {
                throw new IllegalArgumentException("--gc must be one of " + String.join(", ", Env.GCS));
            }
            gatewaySettings = Env.settings("gateway-set", params.str("gateway-set", ""));
            servicesSettings = Env.servicesSettings(params.str("services-set", ""));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
        Path out = Paths.get(params.str("out", "target/bench"));
        try (Env env = new Env(params.integer("client-threads", 2), params.str("gateway-heap", "1g"),
                gatewaySettings, servicesSettings, params.flag("native-transport", false),
                params.str("gc", "parallel"))) {
            env.recordJfr(params.flag("jfr", false));
            Report report = run(env, args[0], params);
            Path json = report.write(out, args[0]);
            System.out.println(report.figures.toPrettyString());
            Env.log("figures: " + json.toAbsolutePath() + " (chart: " + json.toString().replace(".json", ".html") + ")");
        }
        System.exit(0);
    }

    /** Runs one scenario in this environment; the smoke test calls it with tiny sizes. */
    static Report run(Env env, String scenario, Params params) throws Exception {
        Report report = new Report();
        ObjectNode head = report.figures.put("scenario", scenario).put("machine_cores", Runtime.getRuntime().availableProcessors())
                .put("java", System.getProperty("java.version"))
                .put("native_transport", env.vertx.isNativeTransportEnabled()).put("gc", env.gc());
        long t0 = System.nanoTime();
        switch (scenario) {
            case "fanout" -> Fanout.run(env, params, report);
            case "chat" -> ChatLoad.run(env, params, report);
            case "idle" -> Idle.run(env, params, report);
            case "churn" -> Churn.run(env, params, report);
            case "recovery" -> Recovery.run(env, params, report);
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        }
        params.checkAllUsed();
        params.checkReadOnly(PARAMETERS.get(scenario));
        params.writeTo(head.putObject("params"));
        head.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
        return report;
    }
}
