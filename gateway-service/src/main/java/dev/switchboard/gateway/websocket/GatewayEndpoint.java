package dev.switchboard.gateway.websocket;

import java.util.concurrent.atomic.LongAdder;

import dev.switchboard.gateway.GatewayNode;
import dev.switchboard.gateway.security.UpgradeCheck;
import io.quarkus.logging.Log;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * {@code GET /ws}, subprotocol {@code switchboard.v1} (SPEC §5). The handshake was checked by
 * {@link UpgradeCheck}; frames go to {@link RequestHandlers}. A connection's requests are handled
 * one after another, so a client's messages are stored in the order it sent them.
 */
@WebSocket(path = "/ws")
public class GatewayEndpoint {
    private static final UserData.TypedKey<Session> SESSION = new UserData.TypedKey<>("switchboard.session");
    static final LongAdder FRAMES_IN = new LongAdder();

    private final GatewayNode node;
    private final RequestHandlers handlers;
    private final FrameCodec codec;
    private final RateLimiter limiter;
    private final int queueLimit;
    private final int maxMessageBytes;
    private final boolean ownIdleTimeout;
    private final boolean batchedFlush;
    public static final int CLOSE_TOO_BIG = 1009;

    public GatewayEndpoint(GatewayNode node, RequestHandlers handlers, FrameCodec codec, RateLimiter limiter,
            dev.switchboard.gateway.config.GatewayConfig config) {
        this.node = node;
        this.handlers = handlers;
        this.codec = codec;
        this.limiter = limiter;
        this.queueLimit = config.limits().outboundQueue();
        this.maxMessageBytes = config.limits().maxMessageBytes();
        this.ownIdleTimeout = config.limits().idleTimeout().toMillis() > 0;
        this.batchedFlush = config.batchedFlush();
    }

    @OnOpen
    public Uni<Void> onOpen(WebSocketConnection connection) {
        Session session = new Session(connection, codec, queueLimit, limiter.newBucket(), ownIdleTimeout,
                batchedFlush);
        connection.userData().put(SESSION, session);
        return node.open(session, connection.userData().get(UpgradeCheck.IDENTITY))
                .onFailure(AlreadyAnswered.class).recoverWithNull()
                .onFailure().invoke(e -> {
                    Log.warnf("connection %s could not be set up: %s", connection.id(), e.getMessage());
                    session.send(codec.error(null, ErrorCode.UNAVAILABLE, "the gateway cannot serve you right now"));
                    session.close(1013, "try again later");
                })
                .onFailure().recoverWithNull();
    }

    @OnTextMessage
    public Uni<Void> onText(WebSocketConnection connection, String text) {
        FRAMES_IN.increment();
        Session session = session(connection);
        session.touched();
        if (text.length() > maxMessageBytes / 3 && text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > maxMessageBytes) {
            session.close(CLOSE_TOO_BIG, "message over " + maxMessageBytes + " bytes");
            return Uni.createFrom().voidItem();
        }
        return handlers.handle(session, text);
    }

    @OnBinaryMessage
    public void onBinary(WebSocketConnection connection, Buffer data) {
        FRAMES_IN.increment();
        session(connection).touched();
        session(connection).send(codec.error(null, ErrorCode.BINARY_NOT_SUPPORTED,
                "binary frames are not part of switchboard.v1; send JSON text frames"));
    }

    /** The answer to the auto-ping: the client is alive even if it sends nothing. */
    @OnPongMessage
    public void onPong(WebSocketConnection connection, Buffer data) {
        Session session = connection.userData().get(SESSION);
        if (session != null) {
            session.touched();
        }
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        Session session = connection.userData().get(SESSION);
        if (session != null) {
            node.closed(session);
        }
    }

    @OnError
    public void onError(WebSocketConnection connection, Throwable failure) {
        Log.debugf("connection %s: %s", connection.id(), failure.getMessage());
    }

    private static Session session(WebSocketConnection connection) {
        return connection.userData().get(SESSION);
    }

    public static long framesIn() {
        return FRAMES_IN.sum();
    }
}
