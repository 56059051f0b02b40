package dev.switchboard.testsupport;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.awaitility.Awaitility;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A real WebSocket client for tests (the JDK's), speaking {@code switchboard.v1}: it keeps every
 * frame it receives, sends requests with ids and waits for their one ack or error, and waits for
 * events with a deadline.
 */
public final class WsClient implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final WebSocket socket;
    private final List<JsonNode> frames;
    private final List<Long> receivedAt;
    private final Listener listener;
    private final CompletableFuture<Integer> closed;
    private final AtomicInteger ids = new AtomicInteger();
    private final String name;

    private WsClient(WebSocket socket, Listener listener, String name) {
        this.socket = socket;
        this.closed = listener.closed;
        this.frames = listener.frames;
        this.receivedAt = listener.receivedAt;
        this.listener = listener;
        this.name = name;
    }

    public static Builder to(String wsUrl) {
        return new Builder(wsUrl);
    }

    public static final class Builder {
        private final String url;
        private String bearer;
        private String protocolToken;
        private String queryToken;
        private String origin;
        private boolean subprotocol = true;
        private String name = "client";

        Builder(String url) {
            this.url = url;
        }

        public Builder bearer(String token) {
            this.bearer = token;
            return this;
        }

        public Builder protocolToken(String token) {
            this.protocolToken = token;
            return this;
        }

        public Builder queryToken(String token) {
            this.queryToken = token;
            return this;
        }

        public Builder origin(String origin) {
            this.origin = origin;
            return this;
        }

        public Builder noSubprotocol() {
            this.subprotocol = false;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Opens the socket. @throws Refused with the HTTP status when the upgrade is refused */
        public WsClient connect() {
            String target = queryToken == null ? url
                    : url + "?token=" + URLEncoder.encode(queryToken, StandardCharsets.UTF_8);
            WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
            if (bearer != null) {
                builder.header("Authorization", "Bearer " + bearer);
            }
            if (origin != null) {
                builder.header("Origin", origin);
            }
            if (protocolToken != null) {
                builder.subprotocols("switchboard.v1", "bearer." + protocolToken);
            } else if (subprotocol) {
                builder.subprotocols("switchboard.v1");
            }
            Listener listener = new Listener();
            try {
                WebSocket ws = builder.buildAsync(URI.create(target), listener).get(10, TimeUnit.SECONDS);
                return new WsClient(ws, listener, name);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof WebSocketHandshakeException h) {
                    throw new Refused(h.getResponse().statusCode());
                }
                throw new IllegalStateException("could not connect to " + url + ": " + e.getCause(), e.getCause());
            } catch (InterruptedException | TimeoutException e) {
                throw new IllegalStateException("could not connect to " + url, e);
            }
        }
    }

    /** The upgrade was refused with an HTTP status. */
    public static final class Refused extends RuntimeException {
        private final int status;

        Refused(int status) {
            super("upgrade refused with HTTP " + status);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private static final class Listener implements WebSocket.Listener {
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final List<JsonNode> frames = new CopyOnWriteArrayList<>();
        final List<Long> receivedAt = new CopyOnWriteArrayList<>();
        private final StringBuilder text = new StringBuilder();
        private volatile boolean paused;
        private volatile WebSocket socket;
        private boolean owed;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String frame = text.toString();
                text.setLength(0);
                JsonNode node;
                try {
                    node = JSON.readTree(frame);
                } catch (Exception e) {
                    node = JSON.createObjectNode().put("type", "__not_json__").put("raw", frame);
                }
                receivedAt.add(System.nanoTime());
                frames.add(node);
            }
            more(webSocket);
            return null;
        }

        /** Asks for the next message, unless reading is paused (then it is owed until resumed). */
        private synchronized void more(WebSocket webSocket) {
            socket = webSocket;
            if (paused) {
                owed = true;
            } else {
                webSocket.request(1);
            }
        }

        synchronized void pause() {
            paused = true;
        }

        synchronized void resume() {
            paused = false;
            if (owed && socket != null) {
                owed = false;
                socket.request(1);
            }
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }

    public String name() {
        return name;
    }

    /** Sends a raw text frame. */
    public void sendRaw(String text) {
        join(socket.sendText(text, true));
    }

    public void sendBinary(byte[] data) {
        join(socket.sendBinary(ByteBuffer.wrap(data), true));
    }

    /** Sends {@code {type, payload}} without id. */
    public void send(String type, Object payload) {
        ObjectNode frame = JSON.createObjectNode().put("type", type);
        if (payload != null) {
            frame.set("payload", JSON.valueToTree(payload));
        }
        sendRaw(frame.toString());
    }

    /** Sends {@code {type, id, payload}} and returns the one ack or error frame answering it. */
    public JsonNode request(String type, Object payload) {
        String id = name + "-" + ids.incrementAndGet();
        ObjectNode frame = JSON.createObjectNode().put("type", type).put("id", id);
        if (payload != null) {
            frame.set("payload", JSON.valueToTree(payload));
        }
        sendRaw(frame.toString());
        return awaitFrame(f -> id.equals(f.path("id").asText(null))
                && ("ack".equals(f.path("type").asText()) || "error".equals(f.path("type").asText())));
    }

    /** Like {@link #request} but fails unless the answer is an ack; returns the ack's payload. */
    public JsonNode ack(String type, Object payload) {
        JsonNode answer = request(type, payload);
        if (!"ack".equals(answer.path("type").asText())) {
            throw new AssertionError(name + ": " + type + " answered " + answer);
        }
        return answer.path("payload");
    }

    /** Waits for the first frame (already received or to come) of this type matching the condition. */
    public JsonNode awaitEvent(String type, Predicate<JsonNode> payload) {
        return awaitFrame(f -> type.equals(f.path("type").asText()) && payload.test(f.path("payload")));
    }

    public JsonNode awaitEvent(String type) {
        return awaitEvent(type, p -> true);
    }

    public JsonNode awaitFrame(Predicate<JsonNode> condition) {
        return awaitFrame(condition, TIMEOUT);
    }

    /**
     * Waits for the first frame (received or to come) matching the condition: looks at once, then every 5 ms, in
     * the caller's thread; fails at once when the socket closes without one.
     */
    public JsonNode awaitFrame(Predicate<JsonNode> condition, Duration timeout) {
        JsonNode[] found = new JsonNode[1];
        Awaitility.await(name + " receives a frame").atMost(timeout)
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).pollInSameThread()
                .failFast("the socket closed", () -> {
                    if (found[0] == null && closed.isDone() && frames.stream().noneMatch(condition)) {
                        throw new AssertionError(name + ": the socket closed (" + closedCode() + "); " + lastFrames());
                    }
                })
                .until(() -> {
                    for (JsonNode f : frames) {
                        if (condition.test(f)) {
                            found[0] = f;
                            return true;
                        }
                    }
                    return false;
                });
        return found[0];
    }

    /** The last few frames, each cut short, for a failure message (a test may have received megabytes). */
    private String lastFrames() {
        List<JsonNode> all = List.copyOf(frames);
        StringBuilder text = new StringBuilder("last frames of " + all.size() + ":");
        for (JsonNode f : all.subList(Math.max(0, all.size() - 20), all.size())) {
            String one = f.toString();
            text.append("\n  ").append(one.length() > 300 ? one.substring(0, 300) + "..." : one);
        }
        return text.toString();
    }

    /** Every frame of this type received so far. */
    public List<JsonNode> events(String type) {
        return frames.stream().filter(f -> type.equals(f.path("type").asText())).map(f -> f.path("payload")).toList();
    }

    public List<JsonNode> frames() {
        return List.copyOf(frames);
    }

    /** The i-th frame received and when ({@link System#nanoTime()}), for latency figures. */
    public long receivedAtNanos(int index) {
        return receivedAt.get(index);
    }

    /**
     * Stops reading from the socket, as a client that has stalled: what the server sends piles up
     * in the TCP buffers and then in the server's queue for this client.
     */
    public void pauseReading() {
        listener.pause();
    }

    public void resumeReading() {
        listener.resume();
    }

    /** Waits for the server to close the socket and returns the close code. */
    public int awaitClose() {
        try {
            return closed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError(name + ": the socket was not closed within " + TIMEOUT + "; " + lastFrames());
        }
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    public Integer closedCode() {
        return closed.getNow(null);
    }

    public String subprotocol() {
        return socket.getSubprotocol();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                socket.abort();
            }
        }
    }

    /** Drops the TCP connection without a close frame, as a browser tab that is killed does. */
    public void abort() {
        socket.abort();
    }

    private static void join(CompletableFuture<WebSocket> sent) {
        try {
            sent.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException | CompletionException e) {
            throw new IllegalStateException("send failed: " + e.getMessage(), e);
        }
    }
}
