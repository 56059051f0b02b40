package dev.switchboard.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.switchboard.gateway.broker.RedisBroker;
import dev.switchboard.gateway.config.GatewayConfig;
import dev.switchboard.gateway.presence.RedisPresence;
import dev.switchboard.gateway.room.LocalHub;
import dev.switchboard.gateway.room.Rooms;
import dev.switchboard.gateway.room.TicketAccess;
import dev.switchboard.gateway.security.Identity;
import dev.switchboard.gateway.websocket.AlreadyAnswered;
import dev.switchboard.gateway.websocket.ErrorCode;
import dev.switchboard.gateway.websocket.FrameCodec;
import dev.switchboard.gateway.websocket.RateLimiter;
import dev.switchboard.gateway.websocket.Session;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Wires this instance's sockets to the shared state (after centrifuge's node): a session's
 * identity, its rooms (local hub + Redis pub/sub + presence), typing, presence announcements, the
 * lease renewal and the sweep that expires dead instances' connections, and access revocation
 * coming from participant events.
 */
@ApplicationScoped
public class GatewayNode {
    public static final String CLOSE_REASON_UNAUTHENTICATED = "unauthenticated";
    public static final int CLOSE_UNAUTHENTICATED = 4401;
    /** Going away: the connection was silent past the idle timeout. */
    public static final int CLOSE_IDLE = 1001;

    private final LocalHub hub;
    private final RedisBroker broker;
    private final RedisPresence presence;
    private final TicketAccess access;
    private final FrameCodec codec;
    private final GatewayConfig config;
    private final Vertx vertx;
    private final String instanceId;
    private final List<Long> periodic = new ArrayList<>();
    private final LongAdder refusedConnections = new LongAdder();
    private final LongAdder idleClosed = new LongAdder();

    public GatewayNode(LocalHub hub, RedisBroker broker, RedisPresence presence, TicketAccess access, FrameCodec codec,
            GatewayConfig config, Vertx vertx) {
        this.hub = hub;
        this.broker = broker;
        this.presence = presence;
        this.access = access;
        this.codec = codec;
        this.config = config;
        this.vertx = vertx;
        this.instanceId = config.instanceId().orElse("gw-" + UUID.randomUUID().toString().substring(0, 8));
    }

    void start(@Observes StartupEvent event) {
        broker.onControl(this::onControl);
        broker.onReconnect(this::registerAgain);
        periodic.add(vertx.setPeriodic(config.presence().renewEvery().toMillis(), t -> renewLeases()));
        periodic.add(vertx.setPeriodic(config.presence().sweepEvery().toMillis(), t -> sweep()));
        periodic.add(vertx.setPeriodic(1000, t -> checkSessions()));
        Log.infof("gateway instance %s", instanceId);
    }

    void stop(@Observes ShutdownEvent event) {
        periodic.forEach(vertx::cancelTimer);
    }

    public String instanceId() {
        return instanceId;
    }

    /** A new socket: with a token from the handshake it is set up at once, otherwise it must authenticate in time. */
    public Uni<Void> open(Session session, Identity identity) {
        hub.add(session);
        if (identity != null) {
            return establish(session, identity, null).replaceWithVoid();
        }
        long timer = vertx.setTimer(config.authenticateTimeout().toMillis(), t -> {
            if (!session.authenticated() && session.isOpen()) {
                refuse(session, "no authenticate message within " + config.authenticateTimeout().toSeconds() + " s");
            }
        });
        session.timers().put("authenticate", timer);
        return Uni.createFrom().voidItem();
    }

    /** Sends UNAUTHENTICATED and closes with 4401 (SPEC §5). */
    public void refuse(Session session, String message) {
        refuse(session, null, message);
    }

    /** Answers the request {@code id} (or nothing) with UNAUTHENTICATED and closes with 4401. */
    public void refuse(Session session, JsonNode id, String message) {
        session.send(codec.error(id, ErrorCode.UNAUTHENTICATED, message));
        session.close(CLOSE_UNAUTHENTICATED, CLOSE_REASON_UNAUTHENTICATED);
    }

    /**
     * The identity is known: personal and role rooms, presence, then {@code connection}, whose
     * payload is returned. A user over the connection limit gets {@code TOO_MANY_CONNECTIONS}
     * (answering {@code requestId}) and the socket is closed with 1008.
     */
    public Uni<ObjectNode> establish(Session session, Identity identity, JsonNode requestId) {
        cancelTimer(session, "authenticate");
        session.identity(identity);
        hub.bindUser(session);
        scheduleExpiry(session, identity);
        List<Uni<Void>> joins = new ArrayList<>();
        joins.add(joinLocal(session, Rooms.user(identity.userId())));
        for (String role : identity.roomRoles()) {
            joins.add(joinLocal(session, Rooms.role(role)));
        }
        int max = config.limits().maxConnectionsPerUser();
        return Uni.join().all(joins).andFailFast()
                .chain(() -> presence.connect(session.id(), identity.userId(), identity.name(), instanceId,
                        session.status(), max))
                .invoke(result -> {
                    if (result == RedisPresence.ConnectResult.TOO_MANY_CONNECTIONS) {
                        refusedConnections.increment();
                        session.send(codec.error(requestId, ErrorCode.TOO_MANY_CONNECTIONS, "user "
                                + identity.userId() + " already has " + max + " connections; close one first"));
                        session.close(RateLimiter.CLOSE_POLICY_VIOLATION, "too many connections");
                        throw new AlreadyAnswered();
                    }
                })
                .call(result -> Uni.join().all(session.rooms().stream()
                        .map(room -> presence.join(session.id(), identity.userId(), room)).toList()).andFailFast())
                // The client may have gone while this was in flight: its disconnect then ran before the
                // registration and found nothing to clear. Clear it now, or the connection would stay
                // registered until its lease expired.
                .call(result -> session.isOpen() ? Uni.createFrom().voidItem() : presence.disconnect(session.id()))
                .map(result -> {
                    if (result == RedisPresence.ConnectResult.CAME_ONLINE) {
                        announceToStaff("user_online", identity.userId(), identity.name(), "online");
                    }
                    ObjectNode payload = codec.object().put("status", "connected").put("user_id", identity.userId())
                            .put("user_name", identity.name()).put("session_id", session.id())
                            .put("instance", instanceId);
                    ArrayNode roles = payload.putArray("roles");
                    identity.roles().stream().sorted().forEach(roles::add);
                    session.send(codec.event("connection", payload));
                    return payload;
                });
    }

    /**
     * A refreshed token for the same user replaces the identity and its expiry. Roles may have
     * changed: the role rooms follow, and a user who is no longer staff keeps only the ticket rooms
     * ticket-service still lets them into (the others end with {@code access_revoked}).
     */
    public Uni<Void> refresh(Session session, Identity identity) {
        Identity before = session.identity();
        session.identity(identity);
        scheduleExpiry(session, identity);
        Set<String> oldRoles = Set.copyOf(before.roomRoles());
        Set<String> newRoles = Set.copyOf(identity.roomRoles());
        List<Uni<Void>> changes = new ArrayList<>();
        for (String role : oldRoles) {
            if (!newRoles.contains(role)) {
                String room = Rooms.role(role);
                leaveLocal(session, room);
                changes.add(presence.leave(session.id(), identity.userId(), room).replaceWithVoid());
            }
        }
        for (String role : newRoles) {
            if (!oldRoles.contains(role)) {
                String room = Rooms.role(role);
                changes.add(joinLocal(session, room)
                        .chain(() -> presence.join(session.id(), identity.userId(), room)).replaceWithVoid());
            }
        }
        if (before.isStaff() && !identity.isStaff()) {
            for (String room : List.copyOf(session.rooms())) {
                String ticketId = Rooms.ticketId(room);
                if (ticketId != null) {
                    changes.add(access.require(identity, ticketId).onFailure().recoverWithUni(
                            e -> e instanceof dev.switchboard.gateway.websocket.ProtocolException
                                    ? leaveTicket(session, ticketId, "access_revoked")
                                    : Uni.createFrom().voidItem()));
                }
            }
        }
        return changes.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(changes).andCollectFailures().replaceWithVoid();
    }

    private void scheduleExpiry(Session session, Identity identity) {
        cancelTimer(session, "expiry");
        cancelTimer(session, "expiry-warning");
        long left = Duration.between(Instant.now(), identity.expiresAt()).toMillis();
        long warnAt = left - config.tokenExpiryWarning().toMillis();
        if (warnAt > 0) {
            session.timers().put("expiry-warning", vertx.setTimer(warnAt, t -> session.send(
                    codec.event("token_expiring", codec.object().put("expires_at", identity.expiresAt().toString())))));
        }
        session.timers().put("expiry", vertx.setTimer(Math.max(1, left), t -> {
            if (session.identity() == identity && session.isOpen()) {
                refuse(session, "the token has expired; refresh it with refresh_token before it does");
            }
        }));
    }

    /** Joins a ticket room on this instance and in Redis; returns whether user_joined was announced. */
    public Uni<Void> joinTicket(Session session, String ticketId) {
        String room = Rooms.ticket(ticketId);
        Identity identity = session.identity();
        return joinLocal(session, room)
                .chain(() -> presence.join(session.id(), identity.userId(), room))
                .chain(announce -> announce
                        ? broker.publishEphemeral(room, identity.userId(), codec.event("user_joined",
                                codec.object().put("ticket_id", ticketId).put("room", room)
                                        .put("user_id", identity.userId()).put("user_name", identity.name())
                                        .put("status", session.status())))
                        : Uni.createFrom().voidItem());
    }

    /**
     * Takes the session out of a ticket room and tells it with {@code left_ticket}.
     *
     * @param reason {@code left} for a client's own leave, {@code access_revoked} when it lost access
     */
    public Uni<Void> leaveTicket(Session session, String ticketId, String reason) {
        String room = Rooms.ticket(ticketId);
        if (!session.inRoom(room)) {
            return Uni.createFrom().voidItem();
        }
        stopTyping(session, ticketId);
        leaveLocal(session, room);
        session.send(codec.event("left_ticket",
                codec.object().put("ticket_id", ticketId).put("room", room).put("reason", reason)));
        return leavePresence(session, ticketId, room);
    }

    /** Out of the room's presence; {@code user_left} when that was the user's last connection in it. */
    private Uni<Void> leavePresence(Session session, String ticketId, String room) {
        Identity identity = session.identity();
        return presence.leave(session.id(), identity.userId(), room)
                .chain(announce -> announce ? broker.publishEphemeral(room, identity.userId(),
                        codec.event("user_left", codec.object().put("ticket_id", ticketId).put("room", room)
                                .put("user_id", identity.userId()).put("user_name", identity.name())))
                        : Uni.createFrom().voidItem());
    }

    /**
     * A join that failed after it had begun: out of the room again, locally and in presence (announcing
     * {@code user_left} if its {@code user_joined} went out), without a {@code left_ticket} for a join the
     * client was told failed. Best effort: a presence entry that cannot be removed now expires.
     */
    public void abandonJoin(Session session, String ticketId) {
        String room = Rooms.ticket(ticketId);
        if (!session.inRoom(room)) {
            return;
        }
        leaveLocal(session, room);
        leavePresence(session, ticketId, room).subscribe().with(ok -> {
                }, e -> Log.debugf("leaving %s after a failed join: %s", room, e.getMessage()));
    }

    /** The socket has closed: its rooms, typing and presence go; offline follows after a short delay. */
    public void closed(Session session) {
        session.markClosed();
        session.timers().values().forEach(vertx::cancelTimer);
        for (String ticketRoom : List.copyOf(session.rooms())) {
            String ticketId = Rooms.ticketId(ticketRoom);
            if (ticketId != null) {
                stopTyping(session, ticketId);
            }
        }
        for (String room : List.copyOf(session.rooms())) {
            leaveLocal(session, room);
        }
        hub.remove(session);
        if (session.authenticated()) {
            presence.disconnect(session.id()).subscribe().with(ok -> {
            }, e -> Log.warnf("presence of %s not cleared (its lease will expire): %s", session.id(), e.getMessage()));
        }
    }

    public void typing(Session session, String ticketId, boolean isTyping) {
        Identity identity = session.identity();
        String room = Rooms.ticket(ticketId);
        Long previous = session.typingTimers().remove(ticketId);
        if (previous != null) {
            vertx.cancelTimer(previous);
        }
        if (isTyping) {
            session.typingTimers().put(ticketId,
                    vertx.setTimer(config.typingTimeout().toMillis(), t -> stopTyping(session, ticketId)));
        }
        if (isTyping || previous != null) {
            publishTyping(room, ticketId, identity, isTyping);
        }
    }

    private void stopTyping(Session session, String ticketId) {
        Long timer = session.typingTimers().remove(ticketId);
        if (timer != null) {
            vertx.cancelTimer(timer);
            publishTyping(Rooms.ticket(ticketId), ticketId, session.identity(), false);
        }
    }

    private void publishTyping(String room, String ticketId, Identity identity, boolean isTyping) {
        broker.publishEphemeral(room, identity.userId(), codec.event("typing_indicator",
                codec.object().put("ticket_id", ticketId).put("room", room).put("user_id", identity.userId())
                        .put("user_name", identity.name()).put("is_typing", isTyping)))
                .subscribe().with(ok -> {
                }, e -> Log.debugf("typing not published: %s", e.getMessage()));
    }

    public Uni<String> setPresence(Session session, String status) {
        Identity identity = session.identity();
        session.status(status);
        return presence.setStatus(session.id(), identity.userId(), status).invoke(change -> {
            if (!change.changed()) {
                return;
            }
            String frame = codec.event("presence_update", codec.object().put("user_id", identity.userId())
                    .put("user_name", identity.name()).put("status", change.status()));
            List<String> rooms = new ArrayList<>(change.rooms());
            rooms.add(Rooms.role("agent"));
            rooms.add(Rooms.role("admin"));
            for (String room : rooms) {
                broker.publishEphemeral(room, null, frame).subscribe().with(ok -> {
                }, e -> Log.debugf("presence_update not published: %s", e.getMessage()));
            }
        }).map(RedisPresence.StatusChange::status);
    }

    public Uni<ArrayNode> onlineUsers(String room) {
        return presence.members(room).map(members -> {
            ArrayNode users = codec.mapper().createArrayNode();
            for (RedisPresence.Member m : members) {
                users.addObject().put("user_id", m.userId()).put("user_name", m.name()).put("status", m.status());
            }
            return users;
        });
    }

    private Uni<Void> joinLocal(Session session, String room) {
        if (session.inRoom(room)) {
            return Uni.createFrom().voidItem();
        }
        hub.join(room, session);
        // Subscribing is idempotent; doing it on every join closes the race with a concurrent last leave.
        return broker.subscribe(room);
    }

    private void leaveLocal(Session session, String room) {
        if (hub.leave(room, session)) {
            broker.unsubscribe(room);
        }
    }

    private void announceToStaff(String type, String userId, String name, String status) {
        ObjectNode payload = codec.object().put("user_id", userId).put("user_name", name);
        if (status != null) {
            payload.put("status", status);
        }
        String frame = codec.event(type, payload);
        for (String room : List.of(Rooms.role("agent"), Rooms.role("admin"))) {
            broker.publishEphemeral(room, null, frame).subscribe().with(ok -> {
            }, e -> Log.debugf("%s not published: %s", type, e.getMessage()));
        }
    }

    /**
     * Redis is back after being unreachable, and may have lost its data (a restart without
     * persistence): this instance's connections and their rooms are registered again, so presence
     * stays true. Registering again what Redis still has changes nothing.
     */
    private void registerAgain() {
        List<Session> sessions = hub.sessions().stream().filter(Session::authenticated).toList();
        Log.infof("Redis is back: registering the presence of %d connections again", sessions.size());
        for (Session session : sessions) {
            Identity identity = session.identity();
            presence.connect(session.id(), identity.userId(), identity.name(), instanceId, session.status(), 0)
                    .chain(() -> Uni.join().all(session.rooms().stream()
                            .map(room -> presence.join(session.id(), identity.userId(), room)).toList()).andFailFast())
                    .subscribe().with(ok -> {
                    }, e -> Log.warnf("presence of %s not registered again: %s", session.id(), e.getMessage()));
        }
    }

    /** Closes clients that have not read for too long (1013) and connections that went silent (idle timeout). */
    private void checkSessions() {
        long now = System.currentTimeMillis();
        long slowAfter = config.limits().slowConsumerTimeout().toMillis();
        long idleAfter = config.limits().idleTimeout().toMillis();
        for (Session session : hub.sessions()) {
            long stalled = session.stalledSince();
            if (stalled > 0 && now - stalled > slowAfter) {
                session.closeSlow("outbound queue not drained for " + (now - stalled) / 1000 + " s");
            } else if (idleAfter > 0 && now - session.lastInbound() > idleAfter && session.isOpen()) {
                idleClosed.increment();
                session.close(CLOSE_IDLE, "idle: nothing received for " + (now - session.lastInbound()) / 1000 + " s");
            }
        }
    }

    public long refusedConnections() {
        return refusedConnections.sum();
    }

    public long idleClosed() {
        return idleClosed.sum();
    }

    private void renewLeases() {
        List<String> ids = hub.sessions().stream().filter(Session::authenticated).map(Session::id).toList();
        presence.renew(ids).subscribe().with(ok -> {
        }, e -> Log.warnf("presence leases not renewed: %s", e.getMessage()));
    }

    private void sweep() {
        presence.sweep().subscribe().with(announcements -> {
            for (RedisPresence.Announcement a : announcements) {
                if (a.kind().equals("left")) {
                    String ticketId = Rooms.ticketId(a.room());
                    if (ticketId == null) {
                        continue; // personal and role rooms have no user_joined / user_left
                    }
                    ObjectNode payload = codec.object().put("ticket_id", ticketId).put("room", a.room())
                            .put("user_id", a.userId()).put("user_name", a.name());
                    broker.publishEphemeral(a.room(), a.userId(), codec.event("user_left", payload))
                            .subscribe().with(ok -> {
                            }, e -> Log.debugf("user_left not published: %s", e.getMessage()));
                } else {
                    announceToStaff("user_offline", a.userId(), a.name(), "offline");
                }
            }
        }, e -> Log.debugf("presence sweep failed: %s", e.getMessage()));
    }

    /**
     * Control messages between instances: {@code {"op":"revoke"|"grant","ticket_id","user_id"}}.
     * A revoke drops the cached access decision and takes the user's non-staff sockets on this
     * instance out of the ticket room.
     */
    private void onControl(String message) {
        JsonNode control = codec.read(message);
        String op = control.path("op").asText();
        String ticketId = control.path("ticket_id").asText();
        String userId = control.path("user_id").asText();
        access.invalidate(userId, ticketId);
        if (!op.equals("revoke")) {
            return;
        }
        for (Session session : hub.sessionsOf(userId)) {
            if (session.identity() != null && !session.identity().isStaff()) {
                leaveTicket(session, ticketId, "access_revoked").subscribe().with(ok -> {
                }, e -> Log.warnf("revocation of %s from ticket %s: %s", userId, ticketId, e.getMessage()));
            }
        }
    }

    private void cancelTimer(Session session, String name) {
        Long timer = session.timers().remove(name);
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
    }
}
