package dev.switchboard.gateway.presence;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.switchboard.gateway.broker.LuaScript;
import dev.switchboard.gateway.broker.RedisCommands;
import dev.switchboard.gateway.config.GatewayConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * Presence in Redis, shared by every instance: which connections each user has, in which rooms,
 * with what status, under a lease that the connection's instance renews. The Lua scripts in
 * {@code src/main/resources/lua/presence-*.lua} keep it consistent; each returns what has to be
 * announced (user_online, user_joined, user_left, user_offline), so each announcement is made once
 * even with many instances.
 */
@ApplicationScoped
public class RedisPresence {
    private static final String LIB = "presence-lib.lua";
    private final LuaScript connect = LuaScript.load(LIB, "presence-connect.lua");
    private final LuaScript disconnect = LuaScript.load(LIB, "presence-disconnect.lua");
    private final LuaScript join = LuaScript.load(LIB, "presence-join.lua");
    private final LuaScript leave = LuaScript.load(LIB, "presence-leave.lua");
    private final LuaScript status = LuaScript.load(LIB, "presence-status.lua");
    private final LuaScript sweep = LuaScript.load(LIB, "presence-sweep.lua");
    private final LuaScript room = LuaScript.load(LIB, "presence-room.lua");
    private final LuaScript user = LuaScript.load(LIB, "presence-user.lua");

    private final Redis redis;
    private final GatewayConfig config;

    public RedisPresence(Redis redis, GatewayConfig config) {
        this.redis = redis;
        this.config = config;
    }

    public record Member(String userId, String name, String status) {
    }

    public record Announcement(String kind, String userId, String room, String name) {
    }

    public record Connection(String id, String instance, String status, long since, List<String> rooms) {
    }

    public record UserPresence(String userId, String name, String status, List<Connection> connections) {
        public boolean online() {
            return !connections.isEmpty();
        }
    }

    /** What registering a connection found: the user just came online, was online already, or has too many connections. */
    public enum ConnectResult {
        CAME_ONLINE, ALREADY_ONLINE, TOO_MANY_CONNECTIONS
    }

    /**
     * Registers a connection (again, after Redis lost its data, is fine).
     *
     * @param maxConnections the most connections a user may have on all instances together, 0 for no limit
     */
    public Uni<ConnectResult> connect(String connectionId, String userId, String name, String instance, String status,
            int maxConnections) {
        long now = System.currentTimeMillis();
        return connect.run(redis, List.of(), List.of(connectionId, userId, name, instance, status,
                String.valueOf(now + config.presence().lease().toMillis()), String.valueOf(now),
                String.valueOf(maxConnections)))
                .map(r -> switch (r.get(0).toInteger()) {
                    case 1 -> ConnectResult.CAME_ONLINE;
                    case -1 -> ConnectResult.TOO_MANY_CONNECTIONS;
                    default -> ConnectResult.ALREADY_ONLINE;
                });
    }

    /** Takes the connection out of its rooms; the user goes offline after the delay unless they come back. */
    public Uni<Void> disconnect(String connectionId) {
        long due = System.currentTimeMillis() + config.presence().offlineDelay().toMillis();
        return disconnect.run(redis, List.of(), List.of(connectionId, String.valueOf(due))).replaceWithVoid();
    }

    /** @return whether user_joined is to be announced */
    public Uni<Boolean> join(String connectionId, String userId, String roomName) {
        return join.run(redis, List.of(), List.of(connectionId, userId, roomName)).map(r -> r.toInteger() == 1);
    }

    /** @return whether user_left is to be announced */
    public Uni<Boolean> leave(String connectionId, String userId, String roomName) {
        return leave.run(redis, List.of(), List.of(connectionId, userId, roomName)).map(r -> r.toInteger() == 1);
    }

    public record StatusChange(boolean changed, String status, List<String> rooms) {
    }

    public Uni<StatusChange> setStatus(String connectionId, String userId, String newStatus) {
        return status.run(redis, List.of(), List.of(connectionId, userId, newStatus)).map(r -> {
            List<String> rooms = new ArrayList<>();
            for (int i = 2; i < r.size(); i++) {
                rooms.add(r.get(i).toString());
            }
            return new StatusChange(r.get(0).toInteger() == 1, r.get(1).toString(), rooms);
        });
    }

    public Uni<List<Member>> members(String roomName) {
        return room.run(redis, List.of(), List.of(roomName)).map(r -> {
            List<Member> members = new ArrayList<>();
            for (int i = 0; i + 2 < r.size(); i += 3) {
                members.add(new Member(r.get(i).toString(), r.get(i + 1).toString(), r.get(i + 2).toString()));
            }
            return members;
        });
    }

    public Uni<UserPresence> user(String userId) {
        return user.run(redis, List.of(), List.of(userId)).map(r -> {
            List<Connection> connections = new ArrayList<>();
            int n = r.get(2).toInteger();
            for (int i = 0; i < n; i++) {
                int at = 3 + i * 5;
                String rooms = r.get(at + 4).toString();
                String since = r.get(at + 3).toString();
                connections.add(new Connection(r.get(at).toString(), r.get(at + 1).toString(),
                        r.get(at + 2).toString(), since.isEmpty() ? 0 : Long.parseLong(since),
                        rooms.isEmpty() ? List.of() : List.of(rooms.split(","))));
            }
            String name = r.get(0).toString();
            return new UserPresence(userId, name.isEmpty() ? null : name,
                    connections.isEmpty() ? "offline" : r.get(1).toString(), connections);
        });
    }

    /** Expires the leases of dead instances' connections and returns the announcements now due. */
    public Uni<List<Announcement>> sweep() {
        return sweep.run(redis, List.of(), List.of(String.valueOf(System.currentTimeMillis()), "200")).map(r -> {
            List<Announcement> out = new ArrayList<>();
            for (int i = 0; i + 3 < r.size(); i += 4) {
                out.add(new Announcement(r.get(i).toString(), r.get(i + 1).toString(), r.get(i + 2).toString(),
                        r.get(i + 3).toString()));
            }
            return out;
        });
    }

    /** Renews the leases of this instance's connections (ZADD XX: a swept connection stays gone). */
    public Uni<Void> renew(List<String> connectionIds) {
        if (connectionIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String expiry = String.valueOf(System.currentTimeMillis() + config.presence().lease().toMillis());
        List<Uni<Response>> batches = new ArrayList<>();
        for (int from = 0; from < connectionIds.size(); from += 500) {
            Request zadd = Request.cmd(Command.ZADD).arg("sb:leases").arg("XX");
            for (String id : connectionIds.subList(from, Math.min(connectionIds.size(), from + 500))) {
                zadd.arg(expiry).arg(id);
            }
            batches.add(send(zadd));
        }
        return Uni.join().all(batches).andFailFast().replaceWithVoid();
    }

    public Uni<long[]> totals() {
        Uni<Response> online = send(Request.cmd(Command.SCARD).arg("sb:online"));
        Uni<Response> rooms = send(Request.cmd(Command.SCARD).arg("sb:rooms"));
        Uni<Response> connections = send(Request.cmd(Command.ZCARD).arg("sb:leases"));
        return Uni.combine().all().unis(online, rooms, connections)
                .with((o, r, c) -> new long[] { o.toLong(), r.toLong(), c.toLong() });
    }

    private Uni<Response> send(Request request) {
        return RedisCommands.send(redis, request);
    }
}
