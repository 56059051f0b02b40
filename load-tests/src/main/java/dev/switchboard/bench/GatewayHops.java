package dev.switchboard.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The gateway's per-hop histograms ({@code switchboard_gateway_hop_*_seconds} on its /q/metrics: Kafka record →
 * gateway, publish to Redis, delivery to one event loop's sockets), read before and after a step: the step's own
 * counts per bucket, from which its p50 and p99 per hop, so that a step whose p99 grows says on which hop. A
 * percentile is the upper bound of the histogram bucket it falls in (Micrometer's buckets: a few per doubling).
 */
final class GatewayHops {
    static final String[] HOPS = { "kafka", "publish", "delivery" };
    private static final Pattern BUCKET = Pattern
            .compile("^switchboard_gateway_hop_([a-z]+)_seconds_bucket\\{[^}]*le=\"([^\"]+)\"[^}]*\\} ([0-9.eE+-]+)$",
                    Pattern.MULTILINE);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Per hop, the cumulative count at each bucket's upper bound in seconds (+Inf as infinity). */
    record Snapshot(Map<String, TreeMap<Double, Double>> hops) {
    }

    private GatewayHops() {
    }

    static Snapshot read(int gatewayPort) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort
                    + "/q/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return parse(r.body());
        } catch (Exception e) {
            Env.log("the gateway's hop histograms could not be read: " + e);
            return new Snapshot(Map.of());
        }
    }

    static Snapshot parse(String metrics) {
        Map<String, TreeMap<Double, Double>> hops = new TreeMap<>();
        Matcher m = BUCKET.matcher(metrics);
        while (m.find()) {
            double le = m.group(2).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(2));
            hops.computeIfAbsent(m.group(1), k -> new TreeMap<>()).put(le, Double.parseDouble(m.group(3)));
        }
        return new Snapshot(hops);
    }

    /**
     * {@code {"<hop>": {"count", "p50_ms", "p99_ms"}}} for what happened between the two snapshots; a percentile
     * beyond the last finite bucket is reported as that bucket's bound with {@code "over": true}.
     */
    static ObjectNode between(Snapshot before, Snapshot after) {
        ObjectNode out = Env.JSON.createObjectNode();
        for (String hop : HOPS) {
            TreeMap<Double, Double> to = after.hops().get(hop);
            if (to == null) {
                continue;
            }
            TreeMap<Double, Double> from = before.hops().getOrDefault(hop, new TreeMap<>());
            TreeMap<Double, Double> step = new TreeMap<>();
            to.forEach((le, count) -> step.put(le, count - from.getOrDefault(le, 0.0)));
            double total = step.lastEntry().getValue();
            ObjectNode n = out.putObject(hop).put("count", Math.round(total));
            if (total > 0) {
                percentile(n, "p50_ms", step, total * 0.50);
                percentile(n, "p99_ms", step, total * 0.99);
            }
        }
        return out;
    }

    private static void percentile(ObjectNode n, String name, TreeMap<Double, Double> cumulative, double rank) {
        double lastFinite = 0;
        for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
            if (e.getKey().isInfinite()) {
                break;
            }
            lastFinite = e.getKey();
            if (e.getValue() >= rank) {
                n.put(name, Math.round(e.getKey() * 1e5) / 100.0);
                return;
            }
        }
        n.put(name, Math.round(lastFinite * 1e5) / 100.0);
        n.put(name.replace("_ms", "_over"), true);
    }
}
