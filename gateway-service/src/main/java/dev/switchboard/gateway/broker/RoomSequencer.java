package dev.switchboard.gateway.broker;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.Function;

import dev.switchboard.gateway.room.LocalHub;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * Puts the room events this instance receives from Redis pub/sub back into seq order before they
 * reach the local sockets: a duplicate is dropped, and a gap (messages published while this
 * instance's subscriber connection was down) is filled from the room log, holding later events
 * back meanwhile. When the log cannot fill it, or the room's epoch changed (Redis lost the room's
 * keys), the local members get {@code resync_required}. Pub/sub is only the fast path: the room
 * log is the truth.
 */
final class RoomSequencer {
    private final LocalHub hub;
    private final BiFunction<String, long[], Uni<List<RedisBroker.LogEntry>>> range;
    private final Function<String, Uni<RedisBroker.Position>> position;
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private final LongAdder gapsFilled = new LongAdder();
    private final LongAdder resyncs = new LongAdder();
    private final LongAdder duplicates = new LongAdder();

    private static final class Stream {
        /** The room's seq series; null while not known, or (with {@code emptied}) since Redis lost the room. */
        String epoch;
        long last = -1;
        /** Redis had lost the room when last asked (no series, seq 0): the next series starts at seq 1. */
        boolean emptied;
        /** An event has come through (so positions read by joins may no longer move {@code last}). */
        boolean flowing;
        boolean filling;
        final TreeMap<Long, Pending> pending = new TreeMap<>();
    }

    private record Pending(String exclude, String frame) {
    }

    RoomSequencer(LocalHub hub, BiFunction<String, long[], Uni<List<RedisBroker.LogEntry>>> range,
            Function<String, Uni<RedisBroker.Position>> position) {
        this.hub = hub;
        this.range = range;
        this.position = position;
    }

    void onMessage(String room, long seq, String epoch, String exclude, String frame) {
        if (seq <= 0) {
            hub.deliver(room, 0, exclude, frame);
            return;
        }
        Stream s = streams.computeIfAbsent(room, r -> new Stream());
        synchronized (s) {
            if (s.epoch != null && !s.epoch.equals(epoch)) {
                reset(room, s, epoch, seq - 1);
            }
            if (s.epoch == null) {
                // Not known yet: the members are all still joining, and their joins read the room's position
                // after they subscribed, so what came before this event is theirs already. After Redis lost the
                // room, though, the new series is known to start at 1: an earlier event missed is a gap.
                s.epoch = epoch;
                s.last = s.emptied ? 0 : seq - 1;
                s.emptied = false;
            }
            s.flowing = true;
            if (seq <= s.last) {
                duplicates.increment();
                return;
            }
            if (s.filling || seq > s.last + 1) {
                s.pending.put(seq, new Pending(exclude, frame));
                if (!s.filling) {
                    fill(room, s, s.last + 1, seq - 1);
                }
                return;
            }
            hub.deliver(room, seq, exclude, frame);
            s.last = seq;
        }
    }

    /**
     * A member joined at this position: the room's series is known from here on, even before its
     * first event arrives, so that an epoch change (Redis lost the room) is noticed and told.
     */
    void observe(String room, String epoch, long seq) {
        if (epoch == null) {
            return;
        }
        Stream s = streams.computeIfAbsent(room, r -> new Stream());
        synchronized (s) {
            if (s.emptied || s.filling || !s.pending.isEmpty()) {
                return;
            }
            if (s.epoch == null) {
                s.epoch = epoch;
                s.last = seq;
            } else if (!s.flowing && epoch.equals(s.epoch) && seq < s.last) {
                // Joins read positions concurrently and their answers may come in any order: until an event
                // comes through, the series is known from the earliest of them, so none of those members misses
                // the events after its own position (a later joiner drops the ones it already has).
                s.last = seq;
            }
        }
    }

    /** This instance no longer has members in the room: start afresh if it comes back. */
    void forget(String room) {
        streams.remove(room);
    }

    /**
     * After the subscriber connection came back: events published meanwhile never arrived, so each
     * room is compared with its position in Redis and filled (or reset) now.
     */
    void catchUp() {
        for (Map.Entry<String, Stream> e : streams.entrySet()) {
            String room = e.getKey();
            Stream s = e.getValue();
            String asked;
            synchronized (s) {
                asked = s.epoch;
            }
            position.apply(room).subscribe().with(p -> {
                synchronized (s) {
                    // The answer comes over another connection than the events: if an event of a new series came
                    // through meanwhile, the answer may be older than what this stream knows, and is not used.
                    if (s.epoch == null || s.filling || !s.epoch.equals(asked) || streams.get(room) != s) {
                        return;
                    }
                    if (p.epoch() == null || !p.epoch().equals(s.epoch)) {
                        reset(room, s, p.epoch(), p.seq());
                    } else if (p.seq() > s.last) {
                        fill(room, s, s.last + 1, p.seq());
                    }
                }
            }, failure -> Log.debugf("catch-up of %s: %s", room, failure.getMessage()));
        }
    }

    long gapsFilled() {
        return gapsFilled.sum();
    }

    long resyncs() {
        return resyncs.sum();
    }

    long duplicates() {
        return duplicates.sum();
    }

    /** The room's seq series started again: what the members had cannot be continued. */
    private void reset(String room, Stream s, String epoch, long last) {
        resyncs.increment();
        s.pending.clear();
        s.filling = false;
        s.epoch = epoch;
        s.emptied = epoch == null;
        s.last = last;
        hub.resync(room, epoch, last);
    }

    private void fill(String room, Stream s, long from, long to) {
        s.filling = true;
        range.apply(room, new long[] { from, to }).subscribe().with(entries -> {
            synchronized (s) {
                if (streams.get(room) != s) {
                    return;
                }
                for (RedisBroker.LogEntry entry : entries) {
                    if (entry.seq() == s.last + 1 && entry.seq() <= to) {
                        hub.deliver(room, entry.seq(), null, entry.frame());
                        s.last = entry.seq();
                    }
                }
                if (s.last < to) {
                    Log.warnf("room %s: events %d..%d are no longer in the room log; members must resync", room,
                            s.last + 1, to);
                    resyncs.increment();
                    hub.resync(room, s.epoch, to);
                    s.last = to;
                } else {
                    gapsFilled.increment();
                }
                release(room, s);
            }
        }, failure -> {
            Log.warnf("room %s: gap %d..%d not filled (%s); members must resync", room, from, to,
                    failure.getMessage());
            synchronized (s) {
                resyncs.increment();
                hub.resync(room, s.epoch, to);
                s.last = Math.max(s.last, to);
                release(room, s);
            }
        });
    }

    /** Delivers the held-back events that now follow on; fills the next gap if there is one. */
    private void release(String room, Stream s) {
        s.filling = false;
        while (!s.pending.isEmpty()) {
            Map.Entry<Long, Pending> next = s.pending.firstEntry();
            long seq = next.getKey();
            if (seq <= s.last) {
                s.pending.pollFirstEntry();
            } else if (seq == s.last + 1) {
                s.pending.pollFirstEntry();
                hub.deliver(room, seq, next.getValue().exclude(), next.getValue().frame());
                s.last = seq;
            } else {
                fill(room, s, s.last + 1, seq - 1);
                return;
            }
        }
    }
}
