package dev.switchboard.bench;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.vertx.core.Future;
import io.vertx.core.http.WebSocketClient;

/**
 * Scenario {@code churn}: clients connect, join a ticket room, leave it and disconnect, over and
 * over, with presence on; reports cycles per second, Redis commands and Redis CPU per connection
 * change (a connect or a disconnect), the gateway's CPU, and that presence ends true (no
 * connection left registered once everyone is gone).
 */
final class Churn {
    private Churn() {
    }

    static void run(Env env, Params p, Report report) throws Exception {
        int clients = p.integer("clients", 50);
        int seconds = p.integer("seconds", 10);
        int ticketCount = p.integer("tickets", 5);
        env.startServices();
        List<String> tickets = env.createTickets(ticketCount);
        WebSocketClient client = Load.wsClient(env.vertx, null);
        LongAdder cycles = new LongAdder();
        LongAdder errors = new LongAdder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long commands0 = RedisInfo.commands();
        double redisCpu0 = RedisInfo.cpuSeconds();
        Proc.Meter gatewayCpu = new Proc.Meter(env.gateway().pid());
        CountDownLatch done = new CountDownLatch(clients);
        Env.log("churn: " + clients + " clients for " + seconds + " s");
        long t0 = System.nanoTime();
        for (int i = 0; i < clients; i++) {
            String token = env.agentToken("bench-churn-" + i);
            String ticket = tickets.get(i % ticketCount);
            env.vertx.runOnContext(v -> loop(client, env.gatewayPort(), token, ticket, deadline, cycles, errors, done));
        }
        done.await(seconds + 60L, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        double gatewayPct = gatewayCpu.percentOfOneCore();
        long commands = RedisInfo.commands() - commands0;
        double redisCpu = RedisInfo.cpuSeconds() - redisCpu0;
        long changes = 2 * cycles.sum();
        // Presence stays true: once every client is gone, the instance holds no connection.
        boolean settled = Load.waitUntil(() -> {
            try {
                var stats = env.gatewayStats();
                return stats.path("this_instance").path("connections").asInt(-1) == 0
                        && stats.path("connections").asInt(-1) == 0; // the presence registry in Redis agrees
            } catch (Exception e) {
                return false;
            }
        }, 20_000); // a lease outlives a dead instance by up to 15 s: connections of an earlier run may still count
        report.figures.put("clients", clients).put("seconds", Math.round(elapsed * 10) / 10.0)
                .put("cycles", cycles.sum()).put("errors", errors.sum())
                .put("cycles_per_second", Math.round(cycles.sum() / elapsed))
                .put("connection_changes", changes)
                .put("redis_commands_per_connection_change", changes == 0 ? 0 : Math.round(10.0 * commands / changes) / 10.0)
                .put("redis_cpu_pct", Math.round(1000 * redisCpu / elapsed) / 10.0)
                .put("redis_cpu_us_per_connection_change", changes == 0 ? 0 : Math.round(1e6 * redisCpu / changes))
                .put("gateway_cpu_pct", Math.round(gatewayPct * 10) / 10.0)
                .put("no_connection_left_afterwards", settled);
        Env.log(String.format("churn: %d cycles (%.0f/s), %.1f Redis commands and %.0f µs Redis CPU per connection change,"
                + " errors %d", cycles.sum(), cycles.sum() / elapsed, changes == 0 ? 0.0 : 1.0 * commands / changes,
                changes == 0 ? 0.0 : 1e6 * redisCpu / changes, errors.sum()));
        client.close();
    }

    /** connect → join → leave → disconnect, again until the deadline. */
    private static void loop(WebSocketClient client, int port, String token, String ticket, long deadline, LongAdder cycles,
            LongAdder errors, CountDownLatch done) {
        if (System.nanoTime() > deadline) {
            done.countDown();
            return;
        }
        Conn.connect(client, port, token)
                .compose(c -> c.request("join_ticket", Env.JSON.createObjectNode().put("ticket_id", ticket))
                        .compose(ack -> c.request("leave_ticket", Env.JSON.createObjectNode().put("ticket_id", ticket)))
                        .compose(ack -> c.close()).recover(e -> c.close().compose(v -> Future.failedFuture(e))))
                .onComplete(r -> {
                    if (r.succeeded()) {
                        cycles.increment();
                    } else {
                        errors.increment();
                    }
                    loop(client, port, token, ticket, deadline, cycles, errors, done);
                });
    }
}
