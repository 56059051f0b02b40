package dev.switchboard.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * One load-generator connection on Vert.x's WebSocket client: many of them share each event
 * loop. Room events go to a cheap text handler (no JSON tree on the hot path); answers to
 * requests ({@code ack}/{@code error} with the request's id) complete the request's future.
 */
final class Conn {
    private static final AtomicLong IDS = new AtomicLong();

    final WebSocket ws;
    private final Map<String, Promise<JsonNode>> pending = new ConcurrentHashMap<>();
    private volatile Consumer<String> onEvent = text -> {
    };
    private volatile boolean closed;

    private Conn(WebSocket ws) {
        this.ws = ws;
        ws.textMessageHandler(this::onText);
        ws.closeHandler(v -> {
            closed = true;
            pending.values().forEach(p -> p.tryFail("closed"));
        });
        ws.exceptionHandler(e -> {
        });
    }

    /** Connects with the token in the Authorization header (or none, for the baseline). */
    static Future<Conn> connect(WebSocketClient client, int port, String token) {
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws")
                .addSubProtocol("switchboard.v1");
        if (token != null) {
            options.addHeader("Authorization", "Bearer " + token);
        }
        return client.connect(options).map(Conn::new);
    }

    void onEvent(Consumer<String> handler) {
        this.onEvent = handler;
    }

    boolean isClosed() {
        return closed;
    }

    private void onText(String text) {
        if (text.startsWith("{\"type\":\"ack\"") || text.startsWith("{\"type\":\"error\"")) {
            try {
                JsonNode frame = Env.JSON.readTree(text);
                Promise<JsonNode> p = pending.remove(frame.path("id").asText());
                if (p != null) {
                    if ("ack".equals(frame.path("type").asText())) {
                        p.tryComplete(frame.path("payload"));
                    } else {
                        p.tryFail(frame.path("payload").path("code").asText() + ": "
                                + frame.path("payload").path("message").asText());
                    }
                    return;
                }
            } catch (Exception e) {
                // not an answer after all
            }
        }
        onEvent.accept(text);
    }

    /** Sends {@code {type, id, payload}}; the future completes with the ack's payload. */
    Future<JsonNode> request(String type, ObjectNode payload) {
        String id = "r" + IDS.incrementAndGet();
        Promise<JsonNode> p = Promise.promise();
        pending.put(id, p);
        ObjectNode frame = Env.JSON.createObjectNode().put("type", type).put("id", id);
        frame.set("payload", payload);
        ws.writeTextMessage(frame.toString()).onFailure(e -> {
            pending.remove(id);
            p.tryFail(e);
        });
        return p.future();
    }

    Future<Void> close() {
        return ws.close();
    }

    /** Extracts a long field ({@code "name":123}) from a frame's text without parsing it; -1 if absent. */
    static long longField(String text, String quotedName) {
        int i = text.indexOf(quotedName);
        if (i < 0) {
            return -1;
        }
        i += quotedName.length();
        while (i < text.length() && (text.charAt(i) == ':' || text.charAt(i) == ' ')) {
            i++;
        }
        long v = 0;
        boolean any = false;
        while (i < text.length() && Character.isDigit(text.charAt(i))) {
            v = v * 10 + (text.charAt(i++) - '0');
            any = true;
        }
        return any ? v : -1;
    }
}
