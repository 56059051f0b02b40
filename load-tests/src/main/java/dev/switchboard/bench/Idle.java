package dev.switchboard.bench;

import java.util.ArrayList;
import java.util.List;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocketClient;

/**
 * Scenario {@code idle}: opens many idle authenticated connections (spread over several
 * 127.0.0.x source addresses, so the client's ephemeral ports do not run out) and reports the
 * gateway's RSS and heap growth per connection (after a full GC), and the connect rate.
 */
final class Idle {
    private Idle() {
    }

    private static Future<Conn> open(WebSocketClient client, int port, String token) {
        return Conn.connect(client, port, token).compose(c -> {
            Promise<Conn> ready = Promise.promise();
            c.onEvent(text -> {
                if (text.contains("\"type\":\"connection\"")) {
                    ready.tryComplete(c);
                }
            });
            return ready.future();
        });
    }

    static void run(Env env, Params p, Report report) throws Exception {
        int connections = p.integer("connections", 19_000);
        int sources = p.integer("sources", 4);
        int users = p.integer("users", 200);
        int concurrency = p.integer("concurrency", 256);
        env.startServices();
        List<WebSocketClient> clients = new ArrayList<>();
        for (int i = 0; i < sources; i++) {
            clients.add(Load.wsClient(env.vertx, "127.0.0." + (1 + i)));
        }
        int port = env.gatewayPort();
        long pid = env.gateway().pid();
        // Warm up (JIT, pools, buffers) with a fifth of the connections, then measure from a settled state.
        int warm = Math.max(1, Math.min(2000, connections / 5));
        Env.log("idle: warming up with " + warm + " connections");
        for (Conn c : Load.all(warm, concurrency, i -> open(clients.get(i % sources), port, env.agentToken("bench-idle-" + i % users)))) {
            Load.await(c.close(), 10);
        }
        long heap0 = env.gatewayHeapUsedBytes();
        long rss0 = Proc.rssKb(pid);
        Env.log("idle: opening " + connections + " connections");
        long t0 = System.nanoTime();
        List<Conn> conns = Load.all(connections, concurrency, i -> open(clients.get(i % sources), port,
                env.agentToken("bench-idle-" + i % users)));
        double seconds = (System.nanoTime() - t0) / 1e9;
        long heap1 = env.gatewayHeapUsedBytes();
        long rss1 = Proc.rssKb(pid);
        int reported = env.gatewayStats().path("this_instance").path("connections").asInt(-1);
        report.figures.put("connections", connections).put("open_on_gateway", reported)
                .put("connect_seconds", Math.round(seconds * 100) / 100.0)
                .put("connects_per_second", Math.round(connections / seconds))
                .put("rss_before_mb", rss0 / 1024).put("rss_after_mb", rss1 / 1024)
                .put("rss_per_connection_kb", Math.round((rss1 - rss0) * 10.0 / connections) / 10.0)
                .put("heap_before_mb", heap0 >> 20).put("heap_after_mb", heap1 >> 20)
                .put("heap_per_connection_kb", Math.round((heap1 - heap0) / 102.4 / connections) / 10.0);
        Env.log(String.format("idle: %d connections in %.1f s (%.0f/s); RSS +%.1f KB and heap +%.1f KB per connection",
                connections, seconds, connections / seconds, (rss1 - rss0) * 1.0 / connections,
                (heap1 - heap0) / 1024.0 / connections));
        Load.all(conns.size(), 1000, i -> conns.get(i).close());
        clients.forEach(WebSocketClient::close);
    }
}
