package dev.switchboard.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;

/**
 * Scenario {@code recovery}: under a steady stream of room events, clients drop at random and come
 * back after a random pause with {@code join_ticket {since, epoch}}; at the end every client must
 * have every seq of its room exactly once (0 gaps, 0 duplicates). Reports reconnects, recovered
 * events and the catch-up time (from the rejoin until the client has reached the room's position
 * at that moment).
 */
final class Recovery {
    private Recovery() {
    }

    /** One resuming client (all its state is touched on the Vert.x context it runs on). */
    private static final class Client {
        final String ticket;
        final String room;
        final String token;
        Conn conn;
        long first = -1;
        long last = -1;
        String epoch;
        final Set<String> eventIds = new HashSet<>();
        final TreeSet<Long> seqs = new TreeSet<>();
        long duplicates;
        long resyncs;
        long recovered;
        long reconnects;
        long catchUpTarget = -1;
        long catchUpStart;

        Client(String ticket, String token) {
            this.ticket = ticket;
            this.room = "ticket:" + ticket;
            this.token = token;
        }
    }

    static void run(Env env, Params p, Report report) throws Exception {
        int clients = p.integer("clients", 40);
        int roomCount = p.integer("rooms", 4);
        int seconds = p.integer("seconds", 15);
        int rate = p.integer("rate", 200);
        int dropEveryMs = p.integer("drop-every-ms", 200);
        int maxDownMs = p.integer("max-down-ms", 1000);
        env.startServices();
        List<String> tickets = env.createTickets(roomCount);
        WebSocketClient ws = Load.wsClient(env.vertx, null);
        HttpClient http = env.vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(16).setDefaultHost("127.0.0.1")
                .setDefaultPort(env.gatewayPort()));
        String admin = "Bearer " + env.adminToken();
        Histogram catchUp = Report.histogram();
        List<Client> all = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            all.add(new Client(tickets.get(i % roomCount), env.agentToken("bench-rec-" + i)));
        }
        Env.log("recovery: " + clients + " clients in " + roomCount + " rooms, " + rate + " events/s, a drop every "
                + dropEveryMs + " ms");
        Load.all(clients, 50, i -> connect(ws, env.gatewayPort(), all.get(i), catchUp));
        Random random = new Random(42);
        LongAdder publishFailures = new LongAdder();
        long start = System.nanoTime();
        long sent = 0;
        long nextDrop = 0;
        long total = (long) rate * seconds;
        while (sent < total) {
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            long due = Math.min(total, elapsedMs * rate / 1000 + 1);
            for (; sent < due; sent++) {
                String room = "ticket:" + tickets.get((int) (sent % roomCount));
                http.request(HttpMethod.POST, "/api/v1/realtime/emit/room/" + room)
                        .compose(req -> req.putHeader("Authorization", admin).putHeader("Content-Type", "application/json")
                                .send(Buffer.buffer("{\"type\":\"bench\",\"payload\":{\"n\":1}}")))
                        .onComplete(r -> {
                            if (r.failed() || r.result().statusCode() != 202) {
                                publishFailures.increment();
                            }
                        });
            }
            if (elapsedMs >= nextDrop) {
                nextDrop = elapsedMs + dropEveryMs;
                Client victim = all.get(random.nextInt(clients));
                long down = 50 + random.nextInt(Math.max(1, maxDownMs));
                env.vertx.runOnContext(v -> {
                    if (victim.conn != null && !victim.conn.isClosed()) {
                        victim.conn.ws.close();
                        env.vertx.setTimer(down, t -> connect(ws, env.gatewayPort(), victim, catchUp));
                    }
                });
            }
            Load.pause(5);
        }
        // Everyone back, and caught up with the room's final position.
        Load.waitUntil(() -> all.stream().allMatch(c -> c.conn != null && !c.conn.isClosed() && c.catchUpTarget < 0), 30_000);
        boolean caughtUp = Load.waitUntil(() -> all.stream().allMatch(c -> c.last >= RedisInfo.roomSeq(c.room)), 30_000);
        long gaps = 0;
        long duplicates = 0;
        long resyncs = 0;
        long recovered = 0;
        long reconnects = 0;
        long delivered = 0;
        for (Client c : all) {
            synchronized (c) {
                long expected = c.last - c.first;
                gaps += expected - c.seqs.size();
                duplicates += c.duplicates;
                resyncs += c.resyncs;
                recovered += c.recovered;
                reconnects += c.reconnects;
                delivered += c.seqs.size();
            }
        }
        ObjectNode f = report.figures;
        f.put("clients", clients).put("rooms", roomCount).put("events", total).put("publish_failures", publishFailures.sum())
                .put("reconnects", reconnects).put("recovered_events", recovered).put("delivered_events", delivered)
                .put("gaps", gaps).put("duplicates", duplicates).put("resyncs", resyncs).put("all_caught_up", caughtUp);
        f.set("catch_up", Report.latency(catchUp));
        report.charts.add(new Report.Chart("recovery: catch-up time after a rejoin", List.of(new Report.Series("catch-up", catchUp))));
        Env.log(String.format("recovery: %d reconnects, %d events recovered, %d gaps, %d duplicates, %d resyncs; catch-up p99 %.1f ms",
                reconnects, recovered, gaps, duplicates, resyncs, catchUp.getTotalCount() == 0 ? 0.0
                        : catchUp.getValueAtPercentile(99) / 1e6));
        for (Client c : all) {
            if (c.conn != null) {
                c.conn.close();
            }
        }
        ws.close();
        http.close();
    }

    /** Connects and joins: fresh the first time, with since and epoch after. */
    private static io.vertx.core.Future<Conn> connect(WebSocketClient ws, int port, Client c, Histogram catchUp) {
        return Conn.connect(ws, port, c.token).compose(conn -> {
            conn.onEvent(text -> onEvent(c, text, catchUp));
            ObjectNode join = Env.JSON.createObjectNode().put("ticket_id", c.ticket);
            synchronized (c) {
                if (c.last >= 0) {
                    join.put("since", c.last).put("epoch", c.epoch);
                    c.reconnects++;
                }
                c.catchUpStart = System.nanoTime();
            }
            return conn.request("join_ticket", join).map(ack -> {
                synchronized (c) {
                    c.conn = conn;
                }
                return conn;
            });
        });
    }

    private static void onEvent(Client c, String text, Histogram catchUp) {
        if (!text.contains("\"room\":\"" + c.room + "\"")) {
            return;
        }
        JsonNode frame;
        try {
            frame = Env.JSON.readTree(text);
        } catch (Exception e) {
            return;
        }
        JsonNode payload = frame.path("payload");
        String type = frame.path("type").asText();
        synchronized (c) {
            if (type.equals("joined_ticket")) {
                long seq = payload.path("seq").asLong();
                if (c.first < 0) {
                    c.first = seq;
                    c.last = seq;
                    c.epoch = payload.path("epoch").asText();
                } else {
                    c.recovered += payload.path("recovered_events").asLong();
                    if (!payload.path("recovered").asBoolean()) {
                        c.resyncs++;
                    }
                }
                if (c.last >= seq) {
                    record(catchUp, System.nanoTime() - c.catchUpStart);
                    c.catchUpTarget = -1;
                } else {
                    c.catchUpTarget = seq;
                }
                return;
            }
            if (type.equals("resync_required")) {
                c.resyncs++;
                return;
            }
            String eventId = payload.path("event_id").asText("");
            long seq = payload.path("seq").asLong(-1);
            if (eventId.isEmpty() || seq < 0 || c.first < 0) {
                return;
            }
            if (seq <= c.first) {
                return; // before the client's first position: not its to have
            }
            if (!c.eventIds.add(eventId) || !c.seqs.add(seq)) {
                c.duplicates++;
                return;
            }
            c.last = Math.max(c.last, seq);
            if (c.catchUpTarget >= 0 && c.last >= c.catchUpTarget) {
                record(catchUp, System.nanoTime() - c.catchUpStart);
                c.catchUpTarget = -1;
            }
        }
    }

    private static void record(Histogram h, long nanos) {
        synchronized (h) {
            h.recordValue(nanos);
        }
    }
}
