package dev.switchboard.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.http.WebSocketClient;

/**
 * Scenario {@code chat}: N users in M tickets send {@code send_message} over WebSocket; each
 * message goes gateway → chat-service (REST) → PostgreSQL and the outbox → Kafka → gateway → Redis
 * → the sockets of every other member. Latency is from the send to the receipt by each other
 * member, at each rate; loss is what never arrived. Each step also reports the CPU time each service
 * and the whole machine spent per message: on two cores that shows where the path's cost is. The
 * warm-up is long (150 s, at half the highest rate): five JVMs compile at once on two cores, and
 * shorter or slower warm-ups measured the JIT compilers (C2 alone used more CPU than the event loops
 * in the first minute).
 */
final class ChatLoad {
    private static final AtomicLong STEPS = new AtomicLong(1000);

    /** A step's latencies, all together and by the second of the step each message was sent in. */
    private record StepStats(Recorder recorder, LongAdder received, long startNanos, Recorder[] bySecond) {
        static StepStats of(int seconds) {
            Recorder[] bySecond = new Recorder[seconds + 1];
            for (int i = 0; i < bySecond.length; i++) {
                bySecond[i] = new Recorder(3);
            }
            return new StepStats(new Recorder(3), new LongAdder(), System.nanoTime(), bySecond);
        }

        void record(long sentNanos, long latencyNanos) {
            recorder.recordValue(latencyNanos);
            received.increment();
            int second = (int) Math.min(bySecond.length - 1, Math.max(0, (sentNanos - startNanos) / 1_000_000_000L));
            bySecond[second].recordValue(latencyNanos);
        }
    }

    private ChatLoad() {
    }

    static void run(Env env, Params p, Report report) throws Exception {
        int users = p.integer("users", 40);
        int ticketCount = p.integer("tickets", 8);
        List<Integer> rates = p.integers("rates", "50,100,500,1000");
        int seconds = p.integer("seconds", 10);
        int graceMs = p.integer("grace-ms", 5000);
        int warmupSeconds = p.integer("warmup-seconds", 150);
        // Half the highest step's rate: the JIT compiles the paths a busy step takes (bigger polls, fuller
        // batches). At the first step's rate (50 msg/s) the 1,000 msg/s step still ran half-compiled code
        // (p99 580 ms against 43-95 ms); at the whole highest rate the warm-up outran the cold JIT and left
        // a backlog of seconds.
        int topRate = rates.stream().mapToInt(Integer::intValue).max().orElse(100);
        int warmupRate = p.integer("warmup-rate", Math.max(1, topRate / 2));
        env.startServices();
        List<String> tickets = env.createTickets(ticketCount);
        Map<Long, StepStats> steps = new ConcurrentHashMap<>();
        WebSocketClient client = Load.wsClient(env.vertx, null);
        Env.log("chat: connecting " + users + " users to " + ticketCount + " tickets");
        List<Conn> conns = Load.all(users, 100, u -> Conn.connect(client, env.gatewayPort(), env.agentToken("bench-chat-" + u))
                .compose(c -> Load.retrying(env.vertx, () -> c.request("join_ticket", Env.JSON.createObjectNode()
                        .put("ticket_id", tickets.get(u % ticketCount))), 20).map(ack -> c)));
        for (int u = 0; u < users; u++) {
            int receiver = u;
            conns.get(u).onEvent(text -> {
                int at = text.indexOf("\"bc|");
                if (at < 0 || !text.contains("\"new_message\"")) {
                    return;
                }
                String[] parts = text.substring(at + 4, text.indexOf('"', at + 4)).split("\\|");
                long step = Long.parseLong(parts[0]);
                int sender = Integer.parseInt(parts[1]);
                long sent = Long.parseLong(parts[2]);
                StepStats s = steps.get(step);
                if (s != null && sender != receiver) {
                    s.record(sent, Math.max(0, System.nanoTime() - sent));
                }
            });
        }
        int[] members = new int[ticketCount];
        for (int u = 0; u < users; u++) {
            members[u % ticketCount]++;
        }
        // Warm up (JIT in the gateway, chat- and notification-service), unrecorded: step 0 matches no stats.
        if (warmupSeconds > 0) {
            Env.log("chat: warming up for " + warmupSeconds + " s at " + warmupRate + " msg/s");
            Load.paced((long) warmupRate * warmupSeconds, warmupRate, sent -> {
                int u = (int) (sent % users);
                conns.get(u).request("send_message", Env.JSON.createObjectNode().put("ticket_id", tickets.get(u % ticketCount))
                        .put("message", "bc|0|" + u + "|" + System.nanoTime()));
            });
            Load.pause(graceMs); // the warm-up's messages drain before the first step
        }
        ArrayNode stepNodes = report.figures.putArray("steps");
        List<Report.Series> series = new ArrayList<>();
        for (int rate : rates) {
            long step = STEPS.incrementAndGet();
            StepStats stats = StepStats.of(seconds);
            steps.put(step, stats);
            long messages = (long) rate * seconds;
            LongAdder errors = new LongAdder();
            Proc.Meter gatewayCpu = new Proc.Meter(env.gateway().pid());
            Proc.Others others = new Proc.Others(env.servicePids());
            long metersFrom = System.nanoTime();
            Proc.MachineMeter machine = new Proc.MachineMeter();
            GatewayHops.Snapshot hopsAtStart = GatewayHops.read(env.gatewayPort());
            // The send's own path (gateway -> chat-service -> PostgreSQL -> back: the ack) apart from the whole
            // path to the other members (the ack's path, then the outbox, Kafka, the gateway, Redis, the sockets).
            Recorder acks = new Recorder(3);
            // When the step began, to line its seconds up with the services' GC and safepoint logs (UTC).
            String startedAt = java.time.Instant.now().toString();
            Load.paced(messages, rate, sent -> {
                int u = (int) (sent % users);
                long at = System.nanoTime();
                conns.get(u).request("send_message", Env.JSON.createObjectNode().put("ticket_id", tickets.get(u % ticketCount))
                        .put("message", "bc|" + step + "|" + u + "|" + at))
                        .onSuccess(ack -> acks.recordValue(Math.max(0, System.nanoTime() - at)))
                        .onFailure(e -> errors.increment());
            });
            // Every message is received by the other members of its ticket.
            long expected = 0;
            for (long m = 0; m < messages; m++) {
                expected += members[(int) (m % users) % ticketCount] - 1;
            }
            long expectedFinal = expected;
            Load.waitUntil(() -> stats.received().sum() >= expectedFinal, graceMs);
            double cpu = gatewayCpu.percentOfOneCore();
            double machineBusy = machine.busySeconds();
            double machinePct = machine.percentOfAllCores();
            Histogram h = stats.recorder().getIntervalHistogram();
            long received = stats.received().sum();
            ObjectNode n = stepNodes.addObject().put("messages_per_second", rate).put("started_at", startedAt)
                    .put("messages", messages)
                    .put("send_errors", errors.sum()).put("expected_receipts", expected).put("received", received)
                    .put("lost", Math.max(0, expected - received));
            n.setAll(Report.latency(h));
            n.set("send_to_ack", Report.latency(acks.getIntervalHistogram()));
            // The event's way back, hop by hop in the gateway (the outbox relay's send -> the gateway's poll, Redis, sockets).
            n.set("hops", GatewayHops.between(hopsAtStart, GatewayHops.read(env.gatewayPort())));
            // Whether the tail is steady queueing or a few stalls (a GC pause, a burst): p99 and max by the
            // second of the step the messages were sent in.
            ArrayNode p99BySecond = n.putArray("p99_ms_by_second");
            ArrayNode maxBySecond = n.putArray("max_ms_by_second");
            for (Recorder r : stats.bySecond()) {
                Histogram second = r.getIntervalHistogram();
                if (second.getTotalCount() > 0) {
                    p99BySecond.add(Math.round(second.getValueAtPercentile(99) / 1e5) / 10.0);
                    maxBySecond.add(Math.round(second.getMaxValue() / 1e5) / 10.0);
                }
            }
            n.put("gateway_cpu_pct", Math.round(cpu * 10) / 10.0);
            // Where the CPU goes: each service's CPU time per message sent, and the whole machine's.
            ObjectNode perMessage = n.putObject("cpu_ms_per_message");
            others.seconds().forEach((name, used) -> perMessage.put(name, Math.round(used * 1e5 / messages) / 100.0));
            perMessage.put("machine", Math.round(machineBusy * 1e5 / messages) / 100.0);
            // And the hand-overs behind it: each one's voluntary context switches per message sent. Steadier
            // than CPU from one run to the next on a shared host, so the better figure for an A/B of a change
            // that saves hops.
            ObjectNode wakeups = n.putObject("wakeups_per_message");
            double totalWakeups = 0;
            for (Map.Entry<String, Double> e : others.switches().entrySet()) {
                wakeups.put(e.getKey(), Math.round(e.getValue() * 10 / messages) / 10.0);
                totalWakeups += e.getValue();
            }
            wakeups.put("total", Math.round(totalWakeups * 10 / messages) / 10.0);
            // Each JVM's JIT compilers during the step, percent of one core: well above 1 % means the warm-up left
            // code to compile (in one run, notification-service's C2 at 7 %, with the longest tails of the session).
            ObjectNode jit = n.putObject("jit_cpu_pct");
            double metered = (System.nanoTime() - metersFrom) / 1e9;
            others.jitSeconds().forEach((name, used) -> jit.put(name, Math.round(used * 1000 / metered) / 10.0));
            n.put("machine_busy_pct_of_all_cores", Math.round(machinePct * 10) / 10.0);
            series.add(new Report.Series(rate + " msg/s", h));
            Env.log(String.format("chat: %d msg/s: p99 %.1f ms, lost %d, send errors %d, gateway CPU %.0f%%, CPU ms per message %s",
                    rate, h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1e6, Math.max(0, expected - received),
                    errors.sum(), cpu, perMessage));
            Env.log("chat: " + rate + " msg/s: wake-ups per message " + wakeups);
            Env.log("chat: " + rate + " msg/s: JIT compilers' CPU, % of a core " + jit);
            Env.log("chat: " + rate + " msg/s: send -> ack " + n.get("send_to_ack"));
            Env.log("chat: " + rate + " msg/s: p99 by second " + p99BySecond + " ms, max by second " + maxBySecond + " ms");
            steps.remove(step);
        }
        report.charts.add(new Report.Chart("chat: send → receipt by every other member", series));
        for (Conn c : conns) {
            c.close();
        }
        client.close();
    }
}
