package dev.switchboard.bench;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;

/**
 * The "limit": a raw Vert.x WebSocket broadcast server speaking the gateway's frames, with none of
 * its work (no auth, no Redis, no room log, no presence). {@code join} puts a socket in a room;
 * {@code POST /emit/{room}} sends {@code {type, payload + room, seq, event_id}} to every socket in
 * it, and {@code POST /emit} does the same for each event of the gateway's batch emit body. One verticle per event loop, as Quarkus runs the gateway.
 *
 * <pre>java -cp load-tests.jar dev.switchboard.bench.BaselineServer PORT</pre>
 */
public final class BaselineServer extends AbstractVerticle {
    private static final Map<String, Set<ServerWebSocket>> ROOMS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicLong> SEQS = new ConcurrentHashMap<>();
    private final int port;

    BaselineServer(int port) {
        this.port = port;
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int loops = 2 * Runtime.getRuntime().availableProcessors();
        boolean nativeTransport = args.length < 2 || Boolean.parseBoolean(args[1]);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(nativeTransport));
        vertx.deployVerticle(() -> new BaselineServer(port), new DeploymentOptions().setInstances(loops))
                .onSuccess(id -> System.out.println("baseline listening on " + port
                        + (vertx.isNativeTransportEnabled() ? " (epoll)" : " (NIO)")))
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                });
    }

    @Override
    public void start() {
        vertx.createHttpServer(new HttpServerOptions().setPort(port).setHost("127.0.0.1")
                .addWebSocketSubProtocol("switchboard.v1"))
                .webSocketHandler(this::socket)
                .requestHandler(req -> {
                    if (req.method().name().equals("POST") && req.path().startsWith("/emit/")) {
                        String room = req.path().substring("/emit/".length());
                        req.body().onSuccess(body -> {
                            emit(room, body.toString());
                            req.response().setStatusCode(202).end();
                        });
                    } else if (req.method().name().equals("POST") && req.path().equals("/emit")) {
                        // The gateway's batch emit's body: {"events": [{"kind": "room", "target", "type", "payload"}, ...]}.
                        req.body().onSuccess(body -> {
                            req.response().setStatusCode(emitAll(body.toString()) ? 202 : 400).end();
                        });
                    } else {
                        req.response().setStatusCode(404).end();
                    }
                })
                .listen();
    }

    private void socket(ServerWebSocket ws) {
        if (!"/ws".equals(ws.path())) {
            ws.reject(404);
            return;
        }
        ws.writeTextMessage("{\"type\":\"connection\",\"payload\":{\"status\":\"connected\"}}");
        ws.textMessageHandler(text -> {
            try {
                JsonNode frame = Env.JSON.readTree(text);
                String type = frame.path("type").asText();
                String id = frame.path("id").asText();
                if (type.equals("join")) {
                    String room = frame.path("payload").path("room").asText();
                    ROOMS.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet()).add(ws);
                    ws.writeTextMessage("{\"type\":\"ack\",\"id\":\"" + id + "\",\"payload\":{\"room\":\"" + room + "\"}}");
                } else {
                    ws.writeTextMessage("{\"type\":\"ack\",\"id\":\"" + id + "\",\"payload\":{}}");
                }
            } catch (Exception e) {
                ws.writeTextMessage("{\"type\":\"error\",\"payload\":{\"code\":\"INVALID_REQUEST\"}}");
            }
        });
        ws.closeHandler(v -> ROOMS.values().forEach(members -> members.remove(ws)));
    }

    private static void emit(String room, String body) {
        try {
            emit(room, Env.JSON.readTree(body));
        } catch (Exception e) {
            // a bad emit body: nothing to send
        }
    }

    /** False for a body that is not JSON (the generator counts it as a failed publish). */
    private static boolean emitAll(String body) {
        JsonNode events;
        try {
            events = Env.JSON.readTree(body).path("events");
        } catch (Exception e) {
            return false;
        }
        for (JsonNode event : events) {
            emit(event.path("target").asText(), event);
        }
        return events.isArray();
    }

    private static void emit(String room, JsonNode in) {
        Set<ServerWebSocket> members = ROOMS.get(room);
        if (members == null) {
            return;
        }
        try {
            ObjectNode payload = in.path("payload").isObject() ? (ObjectNode) in.path("payload") : Env.JSON.createObjectNode();
            payload.put("room", room).put("seq", SEQS.computeIfAbsent(room, r -> new AtomicLong()).incrementAndGet())
                    .put("event_id", UUID.randomUUID().toString());
            ObjectNode frame = Env.JSON.createObjectNode().put("type", in.path("type").asText("event"));
            frame.set("payload", payload);
            String text = frame.toString();
            for (ServerWebSocket ws : members) {
                if (!ws.isClosed()) {
                    ws.writeTextMessage(text);
                }
            }
        } catch (Exception e) {
            // a bad emit body: nothing to send
        }
    }
}
