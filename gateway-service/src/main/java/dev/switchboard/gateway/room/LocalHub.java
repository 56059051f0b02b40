package dev.switchboard.gateway.room;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;

import dev.switchboard.gateway.admin.HopTimers;
import dev.switchboard.gateway.websocket.FrameCodec;
import dev.switchboard.gateway.websocket.RoomFrame;
import dev.switchboard.gateway.websocket.Session;
import io.quarkus.logging.Log;

/**
 * This instance's connections and the rooms they are in (after centrifuge's hub). Room membership
 * across all instances lives in Redis; this is only what this instance delivers to.
 */
@ApplicationScoped
public class LocalHub {
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** Per room, its local members and each one's state of the room (what a delivery reads and updates). */
    private final Map<String, Map<Session, Session.RoomState>> rooms = new ConcurrentHashMap<>();
    private final Map<String, Set<Session>> users = new ConcurrentHashMap<>();
    private final LongAdder delivered = new LongAdder();
    private final FrameCodec codec;
    private final HopTimers hops;

    public LocalHub(FrameCodec codec, HopTimers hops) {
        this.codec = codec;
        this.hops = hops;
    }

    public void add(Session session) {
        sessions.put(session.id(), session);
    }

    public void bindUser(Session session) {
        users.computeIfAbsent(session.userId(), u -> ConcurrentHashMap.newKeySet()).add(session);
    }

    public void remove(Session session) {
        sessions.remove(session.id());
        String userId = session.userId();
        if (userId != null) {
            users.computeIfPresent(userId, (u, set) -> {
                set.remove(session);
                return set.isEmpty() ? null : set;
            });
        }
    }

    /** @return true when this is the first local member, so the instance must subscribe to the room */
    public boolean join(String room, Session session) {
        boolean[] first = new boolean[1];
        rooms.compute(room, (r, members) -> {
            if (members == null) {
                members = new ConcurrentHashMap<>();
                first[0] = true;
            }
            members.put(session, session.roomState(room));
            return members;
        });
        session.rooms().add(room);
        return first[0];
    }

    /** @return true when no local member is left, so the instance may unsubscribe */
    public boolean leave(String room, Session session) {
        session.rooms().remove(room);
        boolean[] last = new boolean[1];
        rooms.computeIfPresent(room, (r, members) -> {
            members.remove(session);
            if (members.isEmpty()) {
                last[0] = true;
                return null;
            }
            return members;
        });
        return last[0];
    }

    public boolean hasMembers(String room) {
        return rooms.containsKey(room);
    }

    /**
     * Writes one encoded frame to every local member of the room except the connections of
     * {@code excludeUser}; a room event ({@code seq > 0}) waits for a member whose recovery of the
     * room is under way, an ephemeral one ({@code seq == 0}) is the first to go under pressure.
     */
    public int deliver(String room, long seq, String excludeUser, String frame) {
        long arrivedNs = System.nanoTime();
        Map<Session, Session.RoomState> members = rooms.get(room);
        if (members == null) {
            return 0;
        }
        // Each socket's frames are written on its own event loop, one task per loop and event rather than a
        // hand-over per frame: a room's fan-out is spread over the loops, and each loop's FIFO keeps the order.
        Map<Executor, List<Map.Entry<Session, Session.RoomState>>> byLoop = new HashMap<>(8);
        int n = 0;
        for (Map.Entry<Session, Session.RoomState> member : members.entrySet()) {
            Session s = member.getKey();
            if (excludeUser != null && excludeUser.equals(s.userId())) {
                continue;
            }
            n++;
            // A session outside an event loop (unit tests) has none: its share is delivered here, at once.
            byLoop.computeIfAbsent(s.loop(), k -> new ArrayList<>()).add(member);
        }
        byLoop.forEach((loop, sessions) -> {
            Runnable delivery = () -> {
                deliverAll(sessions, room, seq, frame);
                hops.delivery(arrivedNs);
            };
            if (loop == null) {
                delivery.run();
            } else {
                loop.execute(delivery);
            }
        });
        delivered.add(n);
        return n;
    }

    /** One loop's members: the frame encoded once for all of them, each socket's write flushed with the loop's batch. */
    private static void deliverAll(List<Map.Entry<Session, Session.RoomState>> members, String room, long seq,
            String frame) {
        RoomFrame shared = new RoomFrame(frame);
        try {
            for (Map.Entry<Session, Session.RoomState> member : members) {
                try {
                    member.getKey().deliver(member.getValue(), room, seq, shared);
                } catch (RuntimeException e) {
                    // One socket's trouble (closing at this very moment, say) never keeps the frame from the others.
                    Log.debugf("delivery to %s failed: %s", member.getKey().id(), e);
                }
            }
        } finally {
            shared.release();
        }
    }

    /**
     * Tells the room's local members that they cannot continue from what they have
     * ({@code resync_required}): the room log no longer reaches back, or its epoch changed.
     */
    public void resync(String room, String epoch, long seq) {
        Map<Session, Session.RoomState> members = rooms.get(room);
        if (members == null) {
            return;
        }
        String frame = codec.event("resync_required", codec.resyncPayload(room, seq).put("epoch", epoch));
        for (Session s : members.keySet()) {
            Runnable notice = () -> {
                try {
                    s.resync(room, seq, frame);
                } catch (RuntimeException e) {
                    Log.debugf("resync notice to %s failed: %s", s.id(), e);
                }
            };
            // In the same queue as the room's frames, so that it comes after the old series and before the new;
            // a member in the middle of joining the room gets it after the join's answer.
            if (s.loop() == null) {
                notice.run();
            } else {
                s.loop().execute(notice);
            }
        }
    }

    public Collection<Session> sessions() {
        return sessions.values();
    }

    public List<Session> sessionsOf(String userId) {
        Set<Session> set = users.get(userId);
        return set == null ? List.of() : List.copyOf(set);
    }

    public Set<String> roomNames() {
        return rooms.keySet();
    }

    public int connectionCount() {
        return sessions.size();
    }

    public int userCount() {
        return users.size();
    }

    public long delivered() {
        return delivered.sum();
    }
}
