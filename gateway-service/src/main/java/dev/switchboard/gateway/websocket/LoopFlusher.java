package dev.switchboard.gateway.websocket;

import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The sockets of one event loop that have room frames written but not flushed, flushed together by
 * one task queued behind whatever the loop has to do already. A fan-out writes each member's frame
 * without a flush and registers the socket here; the flush (a write system call per socket) runs
 * once the loop's queued deliveries have run, so under load several events leave a socket in one
 * call instead of one call each — what Vert.x does for writes handed over from other threads, and
 * what keeps a raw Vert.x broadcast server's cost per frame falling as its rate rises. At low load
 * the task runs right after the delivery: each socket still gets one flush per event.
 *
 * <p>Used only on its own loop's thread; no locking.
 */
final class LoopFlusher implements Runnable {
    private static final Map<Executor, LoopFlusher> BY_LOOP = new ConcurrentHashMap<>();

    private final Executor loop;
    private ArrayList<Session> dirty = new ArrayList<>();
    private ArrayList<Session> spare = new ArrayList<>();
    private boolean scheduled;

    private LoopFlusher(Executor loop) {
        this.loop = loop;
    }

    /** The flusher of the loop (null outside an event loop). */
    static LoopFlusher of(Executor loop) {
        return loop == null ? null : BY_LOOP.computeIfAbsent(loop, LoopFlusher::new);
    }

    /** The session has unflushed frames: flush it with the next batch. Call on the loop only. */
    void add(Session session) {
        if (!session.flushPending) {
            session.flushPending = true;
            dirty.add(session);
        }
        if (!scheduled) {
            scheduled = true;
            loop.execute(this);
        }
    }

    @Override
    public void run() {
        scheduled = false;
        ArrayList<Session> batch = dirty;
        dirty = spare;
        spare = batch;
        for (int i = 0; i < batch.size(); i++) {
            Session s = batch.get(i);
            s.flushPending = false;
            s.flushNow();
        }
        batch.clear();
    }
}
