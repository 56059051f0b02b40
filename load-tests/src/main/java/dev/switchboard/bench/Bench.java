package dev.switchboard.bench;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The benchmark's command line (SPEC §9): {@code ./switchboard bench <scenario> [--name=value ...]}.
 * Starts what the scenario needs (the test stack, the services, the gateway, the baseline), prints
 * progress on stderr and the figures as JSON on stdout, and writes them with a latency chart to
 * {@code target/bench/}. Scenarios and their parameters: BENCHMARKS.md.
 */
public final class Bench {
    static final List<String> SCENARIOS = List.of("fanout", "chat", "idle", "churn", "recovery");

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !SCENARIOS.contains(args[0])) {
            System.err.println("usage: ./switchboard bench <" + String.join("|", SCENARIOS) + "> [--name=value ...]");
            System.exit(2);
        }
        Params params = Params.parse(args, 1);
        Path out = Paths.get(params.str("out", "target/bench"));
        try (Env env = new Env(params.integer("client-threads", 2), params.str("gateway-heap", "1g"),
                params.str("gateway-set", ""))) {
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
                .put("java", System.getProperty("java.version"));
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
        params.writeTo(head.putObject("params"));
        head.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
        return report;
    }
}
