package dev.switchboard.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.switchboard.testsupport.TestStack;
import dev.switchboard.testsupport.TicketFeed;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;

/**
 * Scenario {@code fanout}: S subscribers in rooms of R, events published (a) through the gateway's
 * delivery path alone (admin emit: HTTP → Redis room log → pub/sub → sockets), (b) through the
 * real path (a chat event on Kafka → gateway consumer → Redis → sockets), and (c) to the raw
 * Vert.x baseline; the rate steps up until p99 ≥ the SLO or anything is lost. Capacity at SLO is
 * the highest step that held; CPU (percent of one core, from /proc) and RSS are measured per step,
 * and the whole machine's busy share beside them.
 * <p>
 * The Kafka path's events are message edits ({@code message_updated}): the gateway routes them as it
 * routes a new message (ticket room, long index with the message as a reference), and no other
 * service acts on them. A {@code message_created} would also make notification-service write a
 * NEW_MESSAGE notification for each one, which the gateway then fans out in turn — the chat
 * scenario measures that whole path; this one measures the gateway's fan-out.
 */
final class Fanout {
    private static final AtomicLong STEPS = new AtomicLong();
    /** The warm-up sends in slices of this length, checking after each that the path kept up. */
    private static final int WARMUP_SLICE_SECONDS = 5;
    /** Where in the message text an event carries its step and send time (the frame's own fields are the schema's). */
    private static final String STEP = "bench-step=";
    private static final String SENT_NS = "bench-sent-ns=";
    private static final String CREATED = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).toString();
    static final String KAFKA_EVENT_TYPE = "switchboard.chat.message_updated.v1";

    private record StepStats(Recorder recorder, LongAdder received) {
    }

    /** Where the events go and where the subscribers connect. */
    /** One event to publish: into the room of a ticket, stamped with its step and the time it was sent. */
    private record Pub(String room, String ticketId, long step, long sentNs) {
    }

    private interface Target {
        String name();

        long pid();

        Future<Conn> subscribe(int index, String room, String ticketId);

        Future<Boolean> publish(String room, String ticketId, long step, long sentNs);

        /**
         * The events the pacer has due at one tick (every 2 ms); each one refused or failed adds to {@code failed}.
         * By default one {@link #publish} each; the emit path and the baseline send them in batch emits.
         */
        default void publishAll(List<Pub> due, LongAdder failed) {
            for (Pub pub : due) {
                publish(pub.room(), pub.ticketId(), pub.step(), pub.sentNs()).onFailure(e -> failed.increment())
                        .onSuccess(ok -> {
                            if (!ok) {
                                failed.increment();
                            }
                        });
            }
        }

        /** Adds what this path has to say besides the steps. */
        default void report(ObjectNode pathNode) {
        }

        /** A step starts: what the path measures on its own counts from here. */
        default void stepStarts() {
        }

        /** The step has ended: adds what the path measured on its own since {@link #stepStarts}. */
        default void stepEnded(ObjectNode stepNode) {
        }

        void close();
    }

    private final Env env;
    private final Map<Long, StepStats> steps = new ConcurrentHashMap<>();

    private Fanout(Env env) {
        this.env = env;
    }

    static void run(Env env, Params p, Report report) throws Exception {
        List<String> shapes = p.strings("shapes", "1x1000,100x10");
        List<String> paths = p.strings("paths", "emit,kafka,baseline");
        List<Integer> rates = p.integers("rates",
                "5000,7500,10000,12500,15000,17500,20000,25000,30000,35000,40000,50000,60000,70000,80000,100000,120000,140000,160000,200000,240000");
        int stepSeconds = p.integer("step-seconds", 5);
        int graceMs = p.integer("grace-ms", 3000);
        double sloMs = p.decimal("slo-ms", 100);
        int fixedRate = p.integer("fixed-rate", 40000);
        int users = p.integer("users", 100);
        // The events due at one tick of the pacer go in one batch emit (POST /api/v1/realtime/emit; the baseline's
        // POST /emit), at most this many a request: as a service with several events at hand would send them, and as
        // the Kafka path's producer batches (linger 1 ms). 1 sends a request per event (the single emit).
        int emitBatch = p.integer("emit-batch", 100);
        int warmup = p.integer("warmup-seconds", 30);
        // The Kafka path also warms the broker. At a hundred or so requests a second its code takes minutes to reach
        // the JIT's thresholds: 1-3 minutes after the start its C2 threads still used 3-9 % of a core and its request
        // threads 0.7 ms of CPU a request, costs a broker in service has long stopped paying.
        int kafkaWarmup = p.integer("kafka-warmup-seconds", 4 * warmup);
        env.startServices();
        Fanout f = new Fanout(env);
        ArrayNode runs = report.figures.putArray("runs");
        for (String shape : shapes) {
            int rooms = Integer.parseInt(shape.split("x")[0]);
            int size = Integer.parseInt(shape.split("x")[1]);
            List<String> tickets = env.createTickets(rooms);
            ObjectNode shapeNode = runs.addObject().put("shape", shape).put("rooms", rooms).put("room_size", size)
                    .put("subscribers", rooms * size);
            List<Report.Series> series = new ArrayList<>();
            for (String path : paths) {
                Target target = switch (path) {
                    case "emit" -> f.gatewayEmit(users, emitBatch);
                    case "kafka" -> f.gatewayKafka(users);
                    case "baseline" -> f.baseline(emitBatch);
                    default -> throw new IllegalArgumentException("path must be emit, kafka or baseline: " + path);
                };
                ObjectNode pathNode = shapeNode.putObject(path);
                Histogram atFixed = f.steps(target, tickets, size, rates, stepSeconds, graceMs, sloMs, fixedRate,
                        path.equals("kafka") ? kafkaWarmup : warmup, pathNode);
                target.report(pathNode);
                series.add(new Report.Series(path + " @" + fixedRate + "/s", atFixed));
                target.close();
            }
            if (shapeNode.has("baseline")) {
                double base = shapeNode.path("baseline").path("capacity_at_slo").asDouble();
                double baseCpu = shapeNode.path("baseline").path("cpu_pct_per_10k_at_fixed_rate").asDouble();
                for (String path : List.of("emit", "kafka")) {
                    if (shapeNode.has(path)) {
                        ObjectNode n = (ObjectNode) shapeNode.get(path);
                        if (base > 0) {
                            n.put("capacity_vs_baseline", Math.round(1000 * n.path("capacity_at_slo").asDouble() / base) / 1000.0);
                        }
                        double cpu = n.path("cpu_pct_per_10k_at_fixed_rate").asDouble();
                        if (baseCpu > 0 && cpu > 0) {
                            n.put("cpu_per_delivery_vs_baseline", Math.round(100 * cpu / baseCpu) / 100.0);
                        }
                    }
                }
            }
            report.charts.add(new Report.Chart("fanout " + shape + ": latency at " + fixedRate + " deliveries/s", series));
        }
    }

    /** Steps the rate up; returns the latency histogram of the fixed-rate step (or the last one run). */
    private Histogram steps(Target target, List<String> tickets, int size, List<Integer> rates, int stepSeconds, int graceMs,
            double sloMs, int fixedRate, int warmupSeconds, ObjectNode out) {
        int rooms = tickets.size();
        Env.log(target.name() + ": connecting " + rooms * size + " subscribers");
        long t0 = System.nanoTime();
        List<Conn> conns = Load.all(rooms * size, 200, i -> target.subscribe(i, "ticket:" + tickets.get(i % rooms),
                tickets.get(i % rooms)));
        out.put("connect_seconds", Math.round((System.nanoTime() - t0) / 1e7) / 100.0);
        for (Conn c : conns) {
            c.onEvent(this::onEvent);
        }
        if (warmupSeconds > 0) {
            // At half the fixed rate, not the first step's: in 1 x 1000 the first step is 5 events/s, which left the JIT
            // of the gateway, the broker and the topic's other consumers compiling through the steps. (The whole fixed
            // rate is 4,000 events/s in 100 x 10, more than the Kafka path's capacity: a backlog into the first step.)
            int warmed = warmUp(target, tickets, size, Math.max(rates.get(0), fixedRate / 2), warmupSeconds, rates.get(0));
            out.put("warmup_deliveries_per_second", warmed);
        }
        ArrayNode stepNodes = out.putArray("steps");
        int capacity = 0;
        Histogram fixed = null;
        Histogram last = null;
        for (int rate : rates) {
            long step = STEPS.incrementAndGet();
            StepStats stats = new StepStats(new Recorder(3), new LongAdder());
            steps.put(step, stats);
            double eventsPerSecond = (double) rate / size;
            long events = Math.max(1, Math.round(eventsPerSecond * stepSeconds));
            Proc.Meter cpu = new Proc.Meter(target.pid());
            Proc.Others others = new Proc.Others(env.servicePids());
            Proc.MachineMeter machine = new Proc.MachineMeter();
            long stepStart = System.nanoTime();
            target.stepStarts();
            LongAdder failed = new LongAdder();
            Load.pacedTicks(events, eventsPerSecond,
                    (from, to) -> target.publishAll(due(tickets, from, to, step), failed));
            long expected = events * size;
            Load.waitUntil(() -> stats.received().sum() >= expected, stepSeconds * 1000L + graceMs);
            double cpuPct = cpu.percentOfOneCore();
            double machinePct = machine.percentOfAllCores();
            Histogram h = stats.recorder().getIntervalHistogram();
            long received = stats.received().sum();
            long lost = Math.max(0, expected - received);
            ObjectNode n = stepNodes.addObject().put("deliveries_per_second", rate).put("events", events)
                    .put("expected", expected).put("received", received).put("lost", lost)
                    .put("publish_failures", failed.sum());
            n.setAll(Report.latency(h));
            n.put("cpu_pct", Math.round(cpuPct * 10) / 10.0)
                    .put("cpu_pct_per_10k", Math.round(cpuPct / rate * 10_000 * 100) / 100.0)
                    .put("rss_mb", Proc.rssKb(target.pid()) / 1024)
                    .put("machine_busy_pct", Math.round(machinePct * 10) / 10.0);
            // Where the rest of the machine's CPU went (the services, the servers, the generator; the gateway is cpu_pct).
            double elapsed = (System.nanoTime() - stepStart) / 1e9;
            ObjectNode rest = n.putObject("others_cpu_pct");
            others.seconds().forEach((name, used) -> rest.put(name, Math.round(used / elapsed * 1000) / 10.0));
            target.stepEnded(n);
            boolean holds = lost == 0 && failed.sum() == 0 && h.getTotalCount() > 0
                    && h.getValueAtPercentile(99) < sloMs * 1e6;
            n.put("holds", holds);
            Env.log(String.format("%s %dx%d: %,d deliveries/s: p99 %.1f ms, lost %d, CPU %.0f%% (%.1f%% per 10k/s), machine %.0f%% busy%s",
                    target.name(), rooms, size, rate, h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1e6,
                    lost, cpuPct, cpuPct / rate * 10_000, machinePct, holds ? "" : "  <- breaks the SLO"));
            steps.remove(step);
            last = h;
            if (rate == fixedRate) {
                fixed = h;
                out.put("cpu_pct_per_10k_at_fixed_rate", n.path("cpu_pct_per_10k").asDouble());
            }
            if (!holds) {
                break;
            }
            capacity = rate;
        }
        out.put("capacity_at_slo", capacity);
        for (Conn c : conns) {
            c.close();
        }
        return fixed != null ? fixed : last;
    }

    /**
     * Sends for a while, unrecorded: JIT, pools and buffers warm before the first step. It sends in five-second
     * slices and halves its rate whenever a slice is not delivered within a second of its end: at a rate beyond what
     * the path can carry (20,000 deliveries/s is more than the Kafka path held in 100 x 10 on a slow host), the
     * backlog would otherwise still be draining through the first steps, which would then measure it. Returns the
     * rate it ended at.
     */
    private int warmUp(Target target, List<String> tickets, int size, int rate, int seconds, int floor) {
        long step = STEPS.incrementAndGet();
        StepStats stats = new StepStats(new Recorder(3), new LongAdder());
        steps.put(step, stats);
        Env.log(String.format("%s: warming up at %,d deliveries/s for %d s", target.name(), rate, seconds));
        long sent = 0;
        int current = rate;
        for (int left = seconds; left > 0; left -= WARMUP_SLICE_SECONDS) {
            int slice = Math.min(WARMUP_SLICE_SECONDS, left);
            double eventsPerSecond = (double) current / size;
            long events = Math.max(1, Math.round(eventsPerSecond * slice));
            long base = sent;
            LongAdder ignored = new LongAdder();
            Load.pacedTicks(events, eventsPerSecond,
                    (from, to) -> target.publishAll(due(tickets, base + from, base + to, step), ignored));
            sent += events;
            long expected = sent * size;
            if (!Load.waitUntil(() -> stats.received().sum() >= expected, 1000) && current > floor) {
                current = Math.max(floor, current / 2);
                Env.log(String.format("%s: the warm-up falls behind; draining, then on at %,d deliveries/s",
                        target.name(), current));
                Load.waitUntil(() -> stats.received().sum() >= expected, 60_000);
            }
        }
        // Every warm-up event delivered before measuring (a backlog would be measured by the first step), then a pause.
        long expected = sent * size;
        if (!Load.waitUntil(() -> stats.received().sum() >= expected, 60_000)) {
            Env.log(String.format("%s: %,d warm-up deliveries still outstanding; the first step will see them",
                    target.name(), expected - stats.received().sum()));
        }
        steps.remove(step);
        Load.pause(1000);
        return current;
    }

    private void onEvent(String text) {
        long step = Conn.longField(text, STEP);
        if (step < 0) {
            return;
        }
        long sent = Conn.longField(text, SENT_NS);
        StepStats s = steps.get(step);
        if (s != null && sent > 0) {
            s.recorder().recordValue(Math.max(0, System.nanoTime() - sent));
            s.received().increment();
        }
    }

    /**
     * What every path delivers: a chat message edit (the Kafka path's event data, which the gateway passes on
     * as the frame's payload). The emit path and the baseline send the same object, so all three write frames
     * of the same shape and size — the baseline's frames even carry a room, seq and event id as the gateway's do.
     */
    static String benchMessage(String ticketId, long step, long sentNs) {
        return "{\"ticket_id\":\"" + ticketId + "\",\"message\":{\"id\":\"" + UUID.randomUUID() + "\",\"ticket_id\":\""
                + ticketId + "\",\"author_id\":\"bench\",\"author_name\":\"Bench\",\"type\":\"TEXT\",\"message\":\"bench "
                + STEP + step + " " + SENT_NS + sentNs + "\",\"mentions\":[],\"attachments\":[],\"client_msg_id\":null,"
                + "\"created_at\":\"" + CREATED + "\",\"edited_at\":\"" + CREATED + "\",\"deleted\":false}}";
    }

    /** The Kafka path's event data: a whole {@code switchboard.chat.message_updated.v1}, valid against its schema. */
    static String kafkaEventData(String ticketId, long step, long sentNs) {
        String message = benchMessage(ticketId, step, sentNs);
        return message.substring(0, message.length() - 1) + ",\"actor\":{\"id\":\"bench\",\"name\":\"Bench\"}}";
    }

    /** Events {@code [from, to)} of a step, each into the room of ticket {@code index % tickets}, stamped now. */
    private static List<Pub> due(List<String> tickets, long from, long to, long step) {
        List<Pub> due = new ArrayList<>((int) (to - from));
        for (long i = from; i < to; i++) {
            String ticket = tickets.get((int) (i % tickets.size()));
            due.add(new Pub("ticket:" + ticket, ticket, step, System.nanoTime()));
        }
        return due;
    }

    /**
     * Sends {@code due} in batch emits of at most {@code batch} events to {@code path}, each event's JSON made by
     * {@code event}; every event of a request that fails or is not accepted (202) counts in {@code failed}.
     */
    private static void batched(HttpClient http, String path, String auth, List<Pub> due, int batch,
            java.util.function.Function<Pub, String> event, LongAdder failed) {
        for (int start = 0; start < due.size(); start += batch) {
            List<Pub> chunk = due.subList(start, Math.min(due.size(), start + batch));
            StringBuilder body = new StringBuilder(chunk.size() * 600).append("{\"events\":[");
            for (int i = 0; i < chunk.size(); i++) {
                body.append(i == 0 ? "" : ",").append(event.apply(chunk.get(i)));
            }
            body.append("]}");
            int n = chunk.size();
            http.request(HttpMethod.POST, path).compose(req -> {
                if (auth != null) {
                    req.putHeader("Authorization", auth);
                }
                return req.putHeader("Content-Type", "application/json").send(Buffer.buffer(body.toString()));
            }).onFailure(e -> failed.add(n)).onSuccess(resp -> {
                if (resp.statusCode() != 202) {
                    failed.add(n);
                }
            });
        }
    }

    private Target gatewayEmit(int users, int batch) {
        return new GatewayTarget("gateway emit", users) {
            private final HttpClient http = env.vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(64)
                    .setDefaultHost("127.0.0.1").setDefaultPort(env.gatewayPort()));
            private final String auth = "Bearer " + env.adminToken();

            @Override
            public Future<Boolean> publish(String room, String ticketId, long step, long sentNs) {
                return http.request(HttpMethod.POST, "/api/v1/realtime/emit/room/" + room)
                        .compose(req -> req.putHeader("Authorization", auth).putHeader("Content-Type", "application/json")
                                .send(Buffer.buffer("{\"type\":\"message_updated\",\"payload\":"
                                        + benchMessage(ticketId, step, sentNs) + "}")))
                        .map(resp -> resp.statusCode() == 202);
            }

            @Override
            public void publishAll(List<Pub> due, LongAdder failed) {
                if (batch <= 1) {
                    super.publishAll(due, failed);
                    return;
                }
                batched(http, "/api/v1/realtime/emit", auth, due, batch, pub -> "{\"kind\":\"room\",\"target\":\""
                        + pub.room() + "\",\"type\":\"message_updated\",\"payload\":"
                        + benchMessage(pub.ticketId(), pub.step(), pub.sentNs()) + "}", failed);
            }

            @Override
            public void close() {
                super.close();
                http.close();
            }
        };
    }

    private Target gatewayKafka(int users) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + TestStack.PROFILE.kafkaPort);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // As the services' outbox relay publishes (OutboxRelay: acks=all, linger 1 ms): the broker sees the real path's requests.
        props.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        long deadLettersBefore = deadLetters();
        Recorder acks = new Recorder(3);
        return new GatewayTarget("gateway kafka", users) {
            @Override
            public void report(ObjectNode pathNode) {
                // Records any consumer refused meanwhile (0 unless the generator's events are not what the services send).
                long refused = deadLetters() - deadLettersBefore;
                pathNode.put("dead_lettered", refused);
                if (refused > 0) {
                    System.out.println("[bench] " + refused + " of the Kafka path's events went to a dead-letter topic");
                }
            }

            @Override
            public Future<Boolean> publish(String room, String ticketId, long step, long sentNs) {
                // A whole CloudEvent, as chat-service's outbox writes it: every consumer of the topic takes it (an
                // incomplete one used to be dead-lettered by notification-service, each with a log line and a DLQ write).
                ProducerRecord<String, String> record = new ProducerRecord<>("switchboard.chat-events", null, ticketId,
                        kafkaEventData(ticketId, step, sentNs), TicketFeed.cloudEventHeaders(KAFKA_EVENT_TYPE, "/bench", ticketId));
                io.vertx.core.Promise<Boolean> done = io.vertx.core.Promise.promise();
                long sendNs = System.nanoTime();
                producer.send(record, (meta, e) -> {
                    acks.recordValue(Math.max(0, System.nanoTime() - sendNs));
                    done.tryComplete(e == null);
                });
                return done.future();
            }

            @Override
            public void stepStarts() {
                super.stepStarts();
                acks.reset();
            }

            @Override
            public void stepEnded(ObjectNode stepNode) {
                super.stepEnded(stepNode);
                // The producer's own round trip (its linger, the broker's append, the answer), before the gateway's hops.
                ((ObjectNode) stepNode.get("hops")).set("producer_ack", Report.latency(acks.getIntervalHistogram()));
            }

            @Override
            public void close() {
                super.close();
                producer.close();
            }
        };
    }

    /** Records in every dead-letter topic ({@code *.dlq}) so far. */
    private static long deadLetters() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                "127.0.0.1:" + TestStack.PROFILE.kafkaPort))) {
            List<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.endsWith(".dlq")).toList();
            if (topics.isEmpty()) {
                return 0;
            }
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, d) -> d.partitions()
                    .forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
            return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
        } catch (Exception e) {
            throw new IllegalStateException("counting dead letters: " + e.getMessage(), e);
        }
    }

    private abstract class GatewayTarget implements Target {
        private final String name;
        private final int users;
        private final WebSocketClient client = Load.wsClient(env.vertx, null);
        private GatewayHops.Snapshot hopsAtStart;

        GatewayTarget(String name, int users) {
            this.name = name;
            this.users = users;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long pid() {
            return env.gateway().pid();
        }

        @Override
        public Future<Conn> subscribe(int index, String room, String ticketId) {
            String token = env.agentToken("bench-agent-" + (index % users));
            return Conn.connect(client, env.gatewayPort(), token).compose(c -> Load.retrying(env.vertx, () -> c
                    .request("join_ticket", Env.JSON.createObjectNode().put("ticket_id", ticketId)), 20).map(ack -> c));
        }

        @Override
        public void stepStarts() {
            hopsAtStart = GatewayHops.read(env.gatewayPort());
        }

        @Override
        public void stepEnded(ObjectNode stepNode) {
            stepNode.set("hops", GatewayHops.between(hopsAtStart, GatewayHops.read(env.gatewayPort())));
        }

        @Override
        public void close() {
            client.close();
        }
    }

    private Target baseline(int batch) {
        int port = env.startBaseline();
        WebSocketClient client = Load.wsClient(env.vertx, null);
        HttpClient http = env.vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(64).setDefaultHost("127.0.0.1")
                .setDefaultPort(port));
        AtomicLong seq = new AtomicLong();
        return new Target() {
            @Override
            public String name() {
                return "baseline";
            }

            @Override
            public long pid() {
                return env.baselinePid();
            }

            @Override
            public Future<Conn> subscribe(int index, String room, String ticketId) {
                return Conn.connect(client, port, null)
                        .compose(c -> c.request("join", Env.JSON.createObjectNode().put("room", room)).map(ack -> c));
            }

            @Override
            public Future<Boolean> publish(String room, String ticketId, long step, long sentNs) {
                return http.request(HttpMethod.POST, "/emit/" + room)
                        .compose(req -> req.putHeader("Content-Type", "application/json")
                                .send(Buffer.buffer("{\"type\":\"message_updated\",\"payload\":{\"room\":\"" + room
                                        + "\",\"seq\":" + seq.incrementAndGet() + ",\"event_id\":\"" + UUID.randomUUID() + "\","
                                        + benchMessage(ticketId, step, sentNs).substring(1) + "}")))
                        .map(resp -> resp.statusCode() == 202);
            }

            @Override
            public void publishAll(List<Pub> due, LongAdder failed) {
                if (batch <= 1) {
                    Target.super.publishAll(due, failed);
                    return;
                }
                batched(http, "/emit", null, due, batch, pub -> "{\"kind\":\"room\",\"target\":\"" + pub.room()
                        + "\",\"type\":\"message_updated\",\"payload\":{\"room\":\"" + pub.room() + "\",\"seq\":"
                        + seq.incrementAndGet() + ",\"event_id\":\"" + UUID.randomUUID() + "\","
                        + benchMessage(pub.ticketId(), pub.step(), pub.sentNs()).substring(1) + "}", failed);
            }

            @Override
            public void close() {
                client.close();
                http.close();
            }
        };
    }
}
