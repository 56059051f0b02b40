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
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
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
                members = new Room();
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
        Room members = rooms.get(room);
        if (members == null) {
            return 0;
        }
        // Each socket's frames are written on its own event loop, one task per loop and event rather than a
        // hand-over per frame: a room's fan-out is spread over the loops, and each loop's FIFO keeps the order.
        // The members come grouped by loop already (the room's snapshot, made again only after a join or leave).
        int n = 0;
        for (LoopMembers group : members.byLoop()) {
            int count = group.count(excludeUser);
            if (count == 0) {
                continue;
            }
            n += count;
            Delivery delivery = new Delivery(group, room, seq, excludeUser, frame, arrivedNs, hops);
            if (group.loop == null) {
                // A session outside an event loop (unit tests) has none: its share is delivered here, at once.
                delivery.run();
            } else {
                group.loop.execute(delivery);
            }
        }
        delivered.add(n);
        return n;
    }

    /**
     * One room's local members: the map that joins and leaves change, and the members grouped by event loop as
     * deliveries read them. The grouping is made again on the first delivery after a change, not per event (it was
     * a map, lists and lambdas per event: the fan-out's own largest cost after the writes). A change bumps
     * {@code version} after the map has it, and a grouping is made by reading the version first: one made while a
     * member joined is stale at once, so the next delivery sees the member, as a delivery reading the map would.
     */
    static final class Room {
        private final Map<Session, Session.RoomState> members = new ConcurrentHashMap<>();
        private volatile int version;
        private volatile Snapshot snapshot;

        private record Snapshot(int version, LoopMembers[] groups) {
        }

        /** Under the room's lock (the map's compute). */
        void put(Session session, Session.RoomState state) {
            members.put(session, state);
            version++;
        }

        void remove(Session session) {
            members.remove(session);
            version++;
        }

        boolean isEmpty() {
            return members.isEmpty();
        }

        Set<Session> sessions() {
            return members.keySet();
        }

        LoopMembers[] byLoop() {
            int v = version;
            Snapshot snap = snapshot;
            if (snap != null && snap.version() == v) {
                return snap.groups();
            }
            Map<Executor, List<Map.Entry<Session, Session.RoomState>>> grouped = new HashMap<>(8);
            for (Map.Entry<Session, Session.RoomState> member : members.entrySet()) {
                grouped.computeIfAbsent(member.getKey().loop(), k -> new ArrayList<>()).add(member);
            }
            LoopMembers[] groups = new LoopMembers[grouped.size()];
            int i = 0;
            for (Map.Entry<Executor, List<Map.Entry<Session, Session.RoomState>>> g : grouped.entrySet()) {
                groups[i++] = new LoopMembers(g.getKey(), g.getValue());
            }
            snapshot = new Snapshot(v, groups);
            return groups;
        }
    }

    /** The members of a room on one event loop, each with its state of the room. Immutable. */
    static final class LoopMembers {
        final Executor loop;
        final Session[] sessions;
        final Session.RoomState[] states;

        LoopMembers(Executor loop, List<Map.Entry<Session, Session.RoomState>> members) {
            this.loop = loop;
            this.sessions = new Session[members.size()];
            this.states = new Session.RoomState[members.size()];
            for (int i = 0; i < sessions.length; i++) {
                sessions[i] = members.get(i).getKey();
                states[i] = members.get(i).getValue();
            }
        }

        int count(String excludeUser) {
            if (excludeUser == null) {
                return sessions.length;
            }
            int n = 0;
            for (Session s : sessions) {
                if (!excludeUser.equals(s.userId())) {
                    n++;
                }
            }
            return n;
        }
    }

    /** One event to one loop's members: the frame encoded once for all of them, each socket's write flushed with the loop's batch. */
    private record Delivery(LoopMembers group, String room, long seq, String excludeUser, String frame, long arrivedNs,
            HopTimers hops) implements Runnable {
        @Override
        public void run() {
            RoomFrame shared = new RoomFrame(frame);
            Session[] sessions = group.sessions;
            Session.RoomState[] states = group.states;
            try {
                for (int i = 0; i < sessions.length; i++) {
                    Session s = sessions[i];
                    if (excludeUser != null && excludeUser.equals(s.userId())) {
                        continue;
                    }
                    try {
                        s.deliver(states[i], room, seq, shared);
                    } catch (RuntimeException e) {
                        // One socket's trouble (closing at this very moment, say) never keeps the frame from the others.
                        Log.debugf("delivery to %s failed: %s", s.id(), e);
                    }
                }
            } finally {
                shared.release();
            }
            hops.delivery(arrivedNs);
        }
    }

    /**
     * Tells the room's local members that they cannot continue from what they have
     * ({@code resync_required}): the room log no longer reaches back, or its epoch changed.
     */
    public void resync(String room, String epoch, long seq) {
        Room members = rooms.get(room);
        if (members == null) {
            return;
        }
        String frame = codec.event("resync_required", codec.resyncPayload(room, seq).put("epoch", epoch));
        for (Session s : members.sessions()) {
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
