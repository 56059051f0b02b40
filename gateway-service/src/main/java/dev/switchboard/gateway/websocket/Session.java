package dev.switchboard.gateway.websocket;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

import dev.switchboard.gateway.security.Identity;
import io.quarkus.logging.Log;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.Context;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.impl.WebSocketInternal;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * One open WebSocket on this instance: who is on it, which rooms it is in, its timers, and its
 * outbound path. Written to from any thread (room fan-out runs on the Redis connection's event
 * loop); every write goes through one lock, so frames leave in the order they were handed over.
 *
 * <p>Outbound back-pressure (SPEC §7): while the socket's own buffer is over its high-water mark,
 * frames wait in a bounded queue and low-value ones (ephemeral: typing, presence) are dropped; a
 * queue that overflows, or does not drain in time (see {@link #stalledSince()}), gets the client
 * closed with 1013. One slow client costs memory up to its queue bound and nothing else.
 *
 * <p>Recovery: while a {@code join_ticket {since}} is being answered, the room's live events are
 * held back for this session and released after the recovered ones, without those already sent.
 */
public final class Session {
    public static final int CLOSE_SLOW_CONSUMER = 1013;
    private static final Method WEB_SOCKET = webSocketAccessor();
    /** vertx-web's ServerWebSocketWrapper (forwarded host and scheme) around the connection's own WebSocket. */
    private static final String WRAPPER = "io.vertx.ext.web.impl.ServerWebSocketWrapper";
    private static volatile java.lang.reflect.Field wrapperDelegate;
    private static final LongAdder DROPPED = new LongAdder();
    private static final LongAdder DROPPED_LOW_VALUE = new LongAdder();
    private static final LongAdder SLOW_CLOSED = new LongAdder();
    private static final LongAdder GAPS_TOLD = new LongAdder();
    /** Vert.x's count of the connection's writes handed over from other threads and not yet made. */
    private static final VarHandle WRITES_IN_PROGRESS = writesInProgressHandle();
    /** Vert.x's default largest outbound frame: a longer text is split into several, so it takes Vert.x's path. */
    private static final int MAX_DIRECT_FRAME = 65536;

    private final WebSocketConnection connection;
    private final FrameCodec codec;
    private final WebSocketBase socket;
    private final int queueLimit;
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> typingTimers = new ConcurrentHashMap<>();
    private final Map<String, Long> timers = new ConcurrentHashMap<>();
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    /** Per room: where this session stands, and what is held back while a join is being answered. */
    private final Map<String, RoomState> roomStates = new HashMap<>();
    /** The connection's event loop (a session is made in @OnOpen, on it): room frames are written there. */
    private final Executor loop = eventLoop(Vertx.currentContext());
    private final LoopFlusher flusher = LoopFlusher.of(loop);
    /** The connection's Netty context and Vert.x connection, for room frames written without a flush (or null). */
    private final ChannelHandlerContext channel;
    private final ConnectionBase vertxConnection;
    /** For those writes: a failed one (the socket closing) is dropped quietly, not raised in the pipeline. */
    private final VoidChannelPromise quietWrite;
    /** The WebSocket encoder's context, where a room frame already encoded as a whole frame is written (or null). */
    private final ChannelHandlerContext frameWriter;
    /** Registered with the loop's flusher; touched on the loop's thread only. */
    boolean flushPending;
    private final RateLimiter.Bucket bucket;
    private volatile Identity identity;
    private volatile String status = "online";
    private volatile boolean closed;
    private volatile long stalledSince;
    private volatile long lastInbound = System.currentTimeMillis();
    private volatile boolean draining;

    /** A room frame held back during a join; a {@code resync} notice restarts the room's series at {@code seq}. */
    private record Held(long seq, String frame, boolean resync) {
    }

    /**
     * One room as this session follows it. The local hub keeps it next to the session in the room's member
     * list, so a delivered frame costs two field accesses and no map lookup (it was two lookups, a put and a
     * boxed seq per member and event: a fifth of a fan-out's time). Guarded by the session's lock.
     */
    public static final class RoomState {
        static final long NONE = -1;
        /** The seq of the last room event sent ({@link #NONE}: not known): a room frame never goes out twice or backwards. */
        long lastSent = NONE;
        /** Non-null while a join of the room is being answered: the live events that wait meanwhile. */
        List<Held> held;
    }

    /** This session's state of the room (created on first use): what the local hub delivers with. */
    public RoomState roomState(String room) {
        synchronized (queue) {
            return state(room);
        }
    }

    private RoomState state(String room) {
        RoomState st = roomStates.get(room);
        if (st == null) {
            st = new RoomState();
            roomStates.put(room, st);
        }
        return st;
    }

    /**
     * @param ownIdleTimeout the gateway closes silent connections itself (its idle timeout is on), so the HTTP
     *        server's idle handler is taken out of this socket's pipeline: it put a listener on every frame written
     * @param batchedFlush room frames go out without a flush, flushed per event loop ({@link LoopFlusher})
     */
    public Session(WebSocketConnection connection, FrameCodec codec, int queueLimit, RateLimiter.Bucket bucket,
            boolean ownIdleTimeout, boolean batchedFlush) {
        this.connection = connection;
        this.codec = codec;
        this.socket = rawSocket(connection);
        this.queueLimit = queueLimit;
        this.bucket = bucket;
        WebSocketInternal internal = null;
        if (socket != null) {
            socket.drainHandler(v -> drain());
            internal = adjustPipeline(socket, ownIdleTimeout);
        }
        if (batchedFlush && internal != null && WRITES_IN_PROGRESS != null && flusher != null
                && internal.connection() instanceof ConnectionBase base) {
            this.channel = internal.channelHandlerContext();
            this.vertxConnection = base;
            this.quietWrite = new VoidChannelPromise(channel.channel(), false);
            this.frameWriter = frameWriter(channel.pipeline());
        } else {
            this.channel = null;
            this.vertxConnection = null;
            this.quietWrite = null;
            this.frameWriter = null;
        }
    }

    /**
     * Where a room frame encoded once for its loop as a whole WebSocket frame ({@link RoomFrame#wire}) goes in: the
     * frame encoder's own context, so that it goes on towards the socket without being framed again per socket (the
     * encoder copies a short text into a new buffer behind its header, for every socket). Only behind Netty's own
     * server encoder (RFC 6455, unmasked), and only in a pipeline with nothing else between Vert.x and that encoder
     * that would have to see the frame: no extension (permessage-deflate), no chunked writer (it holds writes back
     * until the flush, and one written past it would overtake them), no idle handler (it watches writes). Otherwise
     * null: frames go through the encoder.
     */
    static ChannelHandlerContext frameWriter(ChannelPipeline pipeline) {
        ChannelHandlerContext encoder = pipeline.context(WebSocketFrameEncoder.class);
        if (encoder == null || !(encoder.handler() instanceof WebSocket08FrameEncoder)
                || pipeline.get(WebSocketExtensionEncoder.class) != null || pipeline.get(ChunkedWriteHandler.class) != null
                || pipeline.get(IdleStateHandler.class) != null) {
            return null;
        }
        return encoder;
    }

    /**
     * RFC 6455 §8.1: a text frame that is not UTF-8 fails the connection with 1007. Vert.x decodes text
     * frames with replacement characters instead, so Netty's validator goes into the connection's pipeline,
     * in front of Vert.x's handler. And without {@code idle}, Netty's IdleStateHandler, when the gateway's
     * own idle timeout watches the connection: that handler adds a listener to every write (a fan-out's
     * frame each), a cost per delivery for a timeout the gateway already keeps (75 s against its 30 min).
     */
    private static WebSocketInternal adjustPipeline(WebSocketBase socket, boolean ownIdleTimeout) {
        try {
            WebSocketBase ws = socket;
            if (!(ws instanceof WebSocketInternal) && ws.getClass().getName().equals(WRAPPER)) {
                java.lang.reflect.Field delegate = wrapperDelegate;
                if (delegate == null) {
                    // Looked up once, not on every connection.
                    delegate = ws.getClass().getDeclaredField("delegate");
                    delegate.setAccessible(true);
                    wrapperDelegate = delegate;
                }
                ws = (WebSocketBase) delegate.get(ws);
            }
            if (!(ws instanceof WebSocketInternal internal)) {
                Log.warnf("no UTF-8 validation of text frames: %s is not a Vert.x WebSocket", ws.getClass().getName());
                return null;
            }
            ChannelHandlerContext ctx = internal.channelHandlerContext();
            ChannelPipeline pipeline = ctx.pipeline();
            if (pipeline.get(Utf8FrameValidator.class) == null) {
                pipeline.addBefore(ctx.name(), "switchboard-utf8", new Utf8FrameValidator(true));
            }
            if (ownIdleTimeout && pipeline.get(IdleStateHandler.class) != null) {
                pipeline.remove(IdleStateHandler.class);
            }
            return internal;
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.warnf("no UTF-8 validation of text frames on this connection: %s", e);
            return null;
        }
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

    public RateLimiter.Bucket bucket() {
        return bucket;
    }

    public boolean isOpen() {
        return !closed && connection.isOpen();
    }

    public void markClosed() {
        closed = true;
        synchronized (queue) {
            queue.clear();
            roomStates.clear();
        }
    }

    /** Something arrived from the client (a frame or a pong): it is alive. */
    public void touched() {
        lastInbound = System.currentTimeMillis();
    }

    public long lastInbound() {
        return lastInbound;
    }

    public boolean draining() {
        return draining;
    }

    public void draining(boolean draining) {
        this.draining = draining;
    }

    /** A frame that must arrive (answers, room events, history). */
    public void send(String frame) {
        send(frame, false);
    }

    /**
     * Hands a frame to the socket, or to the queue behind it while the client is not keeping up.
     *
     * @param lowValue typing and presence: dropped rather than queued under pressure
     */
    public void send(String frame, boolean lowValue) {
        if (closed) {
            return;
        }
        boolean overflow = false;
        synchronized (queue) {
            if (socket == null) {
                connection.sendText(frame).subscribe().with(ignored -> {
                }, failure -> DROPPED.increment());
                return;
            }
            if (socket.isClosed()) {
                return; // closing: @OnClose will follow
            }
            if (queue.isEmpty() && !full()) {
                write(frame);
                return;
            }
            if (lowValue) {
                DROPPED_LOW_VALUE.increment();
                return;
            }
            if (queue.isEmpty()) {
                stalledSince = System.currentTimeMillis();
            }
            if (queue.size() >= queueLimit) {
                overflow = true;
            } else {
                queue.add(frame);
            }
        }
        if (overflow) {
            closeSlow("outbound queue full (" + queueLimit + " frames): the client does not read fast enough");
        }
    }

    /** The event loop this session's room frames are written on (null outside Vert.x, e.g. in unit tests). */
    public Executor loop() {
        return loop;
    }

    private static Executor eventLoop(Context context) {
        return context instanceof ContextInternal internal ? internal.nettyEventLoop() : null;
    }

    /**
     * A room frame from the fan-out: held back while the room is being recovered for this session,
     * dropped if this session already had it (a frame recovered meanwhile). Within a seq series the
     * fan-out hands a session every event in order; should one ever come past a hole, the client is
     * told ({@code resync_required}) rather than left with a silent gap. Called on this session's event
     * loop by the local hub, a frame goes straight into the socket's buffer and is flushed with the loop's
     * next batch ({@link LoopFlusher}); the frame's bytes are shared by the loop's members.
     */
    public void deliver(RoomState st, String room, long seq, RoomFrame frame) {
        if (seq > 0) {
            synchronized (queue) {
                if (st.held != null) {
                    st.held.add(new Held(seq, frame.text(), false));
                    return;
                }
                long last = st.lastSent;
                if (last != RoomState.NONE && seq <= last) {
                    return;
                }
                if (last != RoomState.NONE && seq > last + 1) {
                    GAPS_TOLD.increment();
                    Log.warnf("session %s, room %s: event %d came after %d; the client is told to resync", id(), room,
                            seq, last);
                    send(codec.event("resync_required", codec.resyncPayload(room, seq - 1)));
                }
                st.lastSent = seq;
                sendRoomFrame(frame);
            }
            return;
        }
        send(frame.text(), true);
    }

    /**
     * A room event into the socket's buffer, its flush left to the loop's flusher: only on the socket's own
     * loop, with nothing queued, the buffer below its high-water mark and no write of Vert.x's still on its
     * way from another thread (this one must not overtake it); otherwise as any frame, through Vert.x.
     */
    private void sendRoomFrame(RoomFrame frame) {
        ChannelHandlerContext ctx = channel;
        if (ctx != null && !closed && queue.isEmpty() && ctx.executor().inEventLoop() && !socket.isClosed()
                && !full() && (int) WRITES_IN_PROGRESS.get(vertxConnection) == 0) {
            if (frame.payloadLength() <= MAX_DIRECT_FRAME) {
                ChannelHandlerContext writer = frameWriter;
                if (writer != null && !writer.isRemoved()) {
                    writer.write(frame.wire(ctx.alloc()).retainedDuplicate(), quietWrite);
                } else {
                    ctx.write(new TextWebSocketFrame(true, 0, frame.bytes(ctx.alloc()).retainedDuplicate()), quietWrite);
                }
                flusher.add(this);
                return;
            }
        }
        send(frame.text(), false);
    }

    /** Flushes what {@link #sendRoomFrame} wrote (the loop's flusher calls it). */
    void flushNow() {
        try {
            channel.flush();
        } catch (RuntimeException e) {
            Log.debugf("flush of %s failed: %s", id(), e);
        }
    }

    /**
     * The room's seq series started again at {@code seq} ({@code resync_required}, the {@code notice}):
     * sent now, or, while a join of the room is under way, after its answer, in place of what was held.
     */
    public void resync(String room, long seq, String notice) {
        synchronized (queue) {
            RoomState st = state(room);
            if (st.held != null) {
                st.held.clear();
                st.held.add(new Held(seq, notice, true));
                return;
            }
            st.lastSent = seq;
            send(notice);
        }
    }

    /** From now until {@link #endRecovery}, the room's live events wait. */
    public void beginRecovery(String room) {
        synchronized (queue) {
            state(room).held = new ArrayList<>();
        }
    }

    /**
     * Sends {@code first} (the answer), then the recovered frames, then the live events held back
     * meanwhile that come after {@code upToSeq} (the recovered ones already covered the rest).
     */
    public void endRecovery(String room, List<String> first, long upToSeq) {
        synchronized (queue) {
            RoomState st = state(room);
            List<Held> held = st.held;
            st.held = null;
            first.forEach(this::send);
            // upToSeq is the room's position read after beginRecovery: everything sent before is at or below it
            // (or of an older seq series, after a resync), so it is where this session now stands.
            st.lastSent = sendHeld(held, upToSeq);
        }
    }

    /**
     * The join failed, so its answer was an error: a session that was not in the room before gets none of
     * the room's frames held meanwhile (it is not a member; a frame after the error would continue from a
     * position it never got), one that already was a member gets those after what it had.
     */
    public void abortRecovery(String room, boolean stillMember) {
        synchronized (queue) {
            RoomState st = roomStates.get(room);
            if (st == null) {
                return;
            }
            List<Held> held = st.held;
            st.held = null;
            if (!stillMember) {
                roomStates.remove(room);
            } else if (st.lastSent != RoomState.NONE) {
                st.lastSent = sendHeld(held, st.lastSent);
            } else if (held != null) {
                held.forEach(h -> send(h.frame()));
            }
        }
    }

    /** Sends the held frames that follow {@code last}; returns the seq the session then stands at. */
    private long sendHeld(List<Held> held, long last) {
        if (held != null) {
            for (Held h : held) {
                if (h.resync()) {
                    send(h.frame());
                    last = h.seq();
                } else if (h.seq() > last) {
                    send(h.frame());
                    last = h.seq();
                }
            }
        }
        return last;
    }

    public static long gapsTold() {
        return GAPS_TOLD.sum();
    }

    /** When the queue started to hold frames and has not emptied since; 0 when it is empty. */
    public long stalledSince() {
        synchronized (queue) {
            return queue.isEmpty() ? 0 : stalledSince;
        }
    }

    /** Whether the socket's own buffer is over its high-water mark (the client is not reading fast enough). */
    public boolean writeQueueFull() {
        return socket != null && full();
    }

    /** Whether the socket's buffer is over its high-water mark; a socket that closed meanwhile counts as full. */
    private boolean full() {
        try {
            return socket.writeQueueFull();
        } catch (IllegalStateException closedMeanwhile) {
            return true;
        }
    }

    public int queued() {
        synchronized (queue) {
            return queue.size();
        }
    }

    /** Closes a client that does not keep up: 1013 (try again later) with the reason. */
    public void closeSlow(String reason) {
        if (closed) {
            return;
        }
        SLOW_CLOSED.increment();
        Log.infof("closing slow client %s (user %s): %s", id(), userId(), reason);
        synchronized (queue) {
            queue.clear();
        }
        close(CLOSE_SLOW_CONSUMER, "slow consumer: " + reason);
    }

    private void drain() {
        synchronized (queue) {
            boolean progress = false;
            while (!queue.isEmpty() && !full()) {
                write(queue.poll());
                progress = true;
            }
            if (progress && !queue.isEmpty()) {
                stalledSince = System.currentTimeMillis(); // reading, if slowly: the clock starts again
            }
        }
    }

    private void write(String frame) {
        try {
            socket.writeTextMessage(frame, result -> {
                if (result.failed()) {
                    DROPPED.increment();
                    Log.debugf("send to %s failed: %s", id(), result.cause().getMessage());
                }
            });
        } catch (IllegalStateException closedMeanwhile) {
            DROPPED.increment();
        }
    }

    /** Frames that could not be written since start, on every session of this instance. */
    public static long dropped() {
        return DROPPED.sum();
    }

    /** Typing and presence frames not sent to clients that were not keeping up. */
    public static long droppedLowValue() {
        return DROPPED_LOW_VALUE.sum();
    }

    /** Clients closed with 1013 because they did not read. */
    public static long slowClosed() {
        return SLOW_CLOSED.sum();
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

    private static VarHandle writesInProgressHandle() {
        try {
            return MethodHandles.privateLookupIn(ConnectionBase.class, MethodHandles.lookup())
                    .findVarHandle(ConnectionBase.class, "writeInProgress", int.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.warnf("room frames take Vert.x's write path (one flush per frame): %s", e);
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
