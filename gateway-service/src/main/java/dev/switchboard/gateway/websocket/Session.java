package dev.switchboard.gateway.websocket;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.switchboard.gateway.security.Identity;
import io.quarkus.logging.Log;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.http.WebSocketBase;

/**
 * One open WebSocket on this instance: who is on it, which rooms it is in, its timers. Written to
 * from any thread (room fan-out runs on the Redis connection's event loop).
 */
public final class Session {
    private static final Method WEB_SOCKET = webSocketAccessor();
    private static final java.util.concurrent.atomic.LongAdder DROPPED = new java.util.concurrent.atomic.LongAdder();

    private final WebSocketConnection connection;
    private final WebSocketBase socket;
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> typingTimers = new ConcurrentHashMap<>();
    private final Map<String, Long> timers = new ConcurrentHashMap<>();
    private volatile Identity identity;
    private volatile String status = "online";
    private volatile boolean closed;

    public Session(WebSocketConnection connection) {
        this.connection = connection;
        this.socket = rawSocket(connection);
    }

    public String id() {
        return connection.id();
    }

    public Identity identity() {
        return identity;
    }

    public void identity(Identity identity) {
        this.identity = identity;
    }

    public boolean authenticated() {
        return identity != null;
    }

    public String userId() {
        Identity i = identity;
        return i == null ? null : i.userId();
    }

    public String status() {
        return status;
    }

    public void status(String status) {
        this.status = status;
    }

    public Set<String> rooms() {
        return rooms;
    }

    public boolean inRoom(String room) {
        return rooms.contains(room);
    }

    public Map<String, Long> typingTimers() {
        return typingTimers;
    }

    public Map<String, Long> timers() {
        return timers;
    }

    public boolean isOpen() {
        return !closed && connection.isOpen();
    }

    public void markClosed() {
        closed = true;
    }

    /** Sends a text frame without waiting; a socket that has gone away drops it. */
    public void send(String frame) {
        if (closed) {
            return;
        }
        if (socket != null) {
            socket.writeTextMessage(frame, result -> {
                if (result.failed()) {
                    DROPPED.increment();
                    Log.debugf("send to %s failed: %s", id(), result.cause().getMessage());
                }
            });
        } else {
            connection.sendText(frame).subscribe().with(ignored -> {
            }, failure -> {
                DROPPED.increment();
                Log.debugf("send to %s failed: %s", id(), failure.getMessage());
            });
        }
    }

    /** Whether the socket's write queue is over its high-water mark (a slow reader). */
    public boolean writeQueueFull() {
        return socket != null && socket.writeQueueFull();
    }

    /** Frames that could not be written since start, on every session of this instance. */
    public static long dropped() {
        return DROPPED.sum();
    }

    public void close(int code, String reason) {
        connection.close(new CloseReason(code, reason)).subscribe().with(ignored -> {
        }, failure -> Log.debugf("close of %s failed: %s", id(), failure.getMessage()));
    }

    /**
     * The Vert.x socket under the connection: writing to it directly skips a Mutiny pipeline per
     * frame in the fan-out path, and it tells whether the write queue is full.
     */
    private static WebSocketBase rawSocket(WebSocketConnection connection) {
        if (WEB_SOCKET == null) {
            return null;
        }
        try {
            return (WebSocketBase) WEB_SOCKET.invoke(connection);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static Method webSocketAccessor() {
        try {
            Method m = Class.forName("io.quarkus.websockets.next.runtime.WebSocketConnectionBase")
                    .getDeclaredMethod("webSocket");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.warnf("falling back to WebSocketConnection.sendText: %s", e.getMessage());
            return null;
        }
    }
}
