package dev.switchboard.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.switchboard.testsupport.WsClient;

/**
 * One user in one ticket room, behaving as SPEC §6 asks of a client: it keeps the last seq and epoch
 * it saw, resumes with {@code join_ticket {since, epoch}} after every reconnect (to either gateway),
 * drops duplicates by {@code event_id}, and after a {@code resync_required} joins again and fills the
 * break from chat history ({@code get_messages after} the last message it had). It sends chat
 * messages one at a time with a {@code client_msg_id}, retrying the same id until it gets an ack.
 *
 * <p>What it received is kept for the checker: every room event once (by event id) and whether the
 * seq series went on without a gap, the chat messages in the order they came live, and the messages
 * that came from history after a resync.
 */
final class Member {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    final String userId;
    final String name;
    final String token;
    final String ticketId;
    final String room;
    private final AtomicInteger ids = new AtomicInteger();
    private String home;
    private WsClient ws;
    private int cursor;
    private boolean joined;

    // What the checker reads; guarded by this.
    private long lastSeq = -1;
    private String epoch;
    private String lastMessageId;
    private boolean needsRejoin;
    private boolean needsFill;
    /** The last message before the break a resync announced: the fill starts after it. */
    private String fillAfter;
    private final Set<String> freshJoins = new HashSet<>();
    private final Set<String> eventIds = new HashSet<>();
    private final List<String> liveOrder = new ArrayList<>();
    private final Map<String, Integer> liveCount = new HashMap<>();
    private final Set<String> filled = new LinkedHashSet<>();
    private final List<String> violations = new ArrayList<>();
    /** What this member's connections did (connects, join answers, drops), for a failure report. */
    private final List<String> history = new ArrayList<>();
    private long roomEventsOnConnection;
    private int resyncs;
    private int reconnects;
    private int sendErrors;
    private int duplicateEvents;

    Member(String userId, String name, String token, String ticketId, String home) {
        this.userId = userId;
        this.name = name;
        this.token = token;
        this.ticketId = ticketId;
        this.room = "ticket:" + ticketId;
        this.home = home;
    }

    /** Broken connection or no answer in time: the caller reconnects. */
    static final class Broken extends RuntimeException {
        Broken(String message) {
            super(message);
        }
    }

    String otherGateway(String gateway) {
        return Suite.GATEWAY_1.equals(gateway) ? Suite.GATEWAY_2 : Suite.GATEWAY_1;
    }

    /** Connected and in the room, or Broken. Tries the home gateway, then the other one. */
    void ensureJoined() {
        if (ws != null && ws.isClosed()) {
            dropConnection();
        }
        if (ws == null) {
            connect();
        }
        if (!joined) {
            join();
        }
        pump();
        if (needsRejoin) {
            rejoinFresh();
        }
        if (needsFill) {
            fill();
        }
    }

    private void connect() {
        try {
            ws = WsClient.to(Suite.wsUrl(home)).bearer(token).name(name).connect();
            cursor = 0;
            joined = false;
            note("connected to " + home);
        } catch (RuntimeException e) {
            note("connect to " + home + " failed: " + e.getMessage());
            home = otherGateway(home);
            throw new Broken("connect: " + e.getMessage());
        }
    }

    /** Joins: fresh the first time, with since and epoch afterwards. */
    private void join() {
        Map<String, Object> payload = new HashMap<>();
        payload.put("ticket_id", ticketId);
        boolean fresh;
        synchronized (this) {
            fresh = lastSeq < 0;
            if (!fresh) {
                payload.put("since", lastSeq);
                payload.put("epoch", epoch);
            }
        }
        JsonNode answer = request("join_ticket", payload, Duration.ofSeconds(10), fresh);
        note("join " + payload + " -> " + answer);
        if (!"ack".equals(answer.path("type").asText())) {
            throw new Broken("join: " + answer);
        }
        joined = true;
    }

    private void rejoinFresh() {
        synchronized (this) {
            needsRejoin = false;
        }
        JsonNode answer = request("join_ticket", Map.of("ticket_id", ticketId), Duration.ofSeconds(10), true);
        note("rejoin -> " + answer);
        if (!"ack".equals(answer.path("type").asText())) {
            synchronized (this) {
                needsRejoin = true;
            }
            throw new Broken("rejoin: " + answer);
        }
        pump();
    }

    /** After a resync: every message after the last one this member had, from chat history. */
    private void fill() {
        String after;
        synchronized (this) {
            after = fillAfter;
        }
        while (true) {
            Map<String, Object> payload = new HashMap<>();
            payload.put("ticket_id", ticketId);
            payload.put("limit", 100);
            if (after != null) {
                payload.put("after", after);
            }
            JsonNode answer = request("get_messages", payload, Duration.ofSeconds(10), false);
            if (!"ack".equals(answer.path("type").asText())) {
                throw new Broken("get_messages: " + answer);
            }
            JsonNode messages = answer.path("payload").path("messages");
            synchronized (this) {
                for (JsonNode m : messages) {
                    filled.add(m.path("id").asText());
                    after = m.path("id").asText();
                }
            }
            if (messages.size() < 100) {
                break;
            }
        }
        synchronized (this) {
            needsFill = false;
        }
    }

    /**
     * Sends one chat message and returns the stored message from its ack, or null when the service
     * answered with an error (the caller retries the same client_msg_id).
     */
    JsonNode send(String clientMsgId, String text) {
        JsonNode answer = request("send_message",
                Map.of("ticket_id", ticketId, "message", text, "client_msg_id", clientMsgId), REQUEST_TIMEOUT, false);
        if ("ack".equals(answer.path("type").asText())) {
            return answer.path("payload").path("message");
        }
        synchronized (this) {
            sendErrors++;
        }
        return null;
    }

    private JsonNode request(String type, Map<String, Object> payload, Duration timeout, boolean freshJoin) {
        String id = name + "-" + ids.incrementAndGet();
        ObjectNode frame = WsClient.JSON.createObjectNode().put("type", type).put("id", id);
        frame.set("payload", WsClient.JSON.valueToTree(payload));
        if (freshJoin) {
            synchronized (this) {
                freshJoins.add(id);
            }
        }
        try {
            ws.sendRaw(frame.toString());
            return ws.awaitFrame(f -> id.equals(f.path("id").asText(null))
                    && ("ack".equals(f.path("type").asText()) || "error".equals(f.path("type").asText())), timeout);
        } catch (RuntimeException e) {
            // Closed, or no answer in time (a hung gateway): give up this connection.
            note(type + " on " + home + " failed: " + e);
            dropConnection();
            home = otherGateway(home);
            throw new Broken(type + ": " + e.getClass().getSimpleName());
        }
    }

    /** Drops the connection as a network failure or a killed tab would; the next ensureJoined resumes. */
    void dropConnection() {
        if (ws != null) {
            pump();
            synchronized (this) {
                note("drop after " + roomEventsOnConnection + " room events on this connection, last seq " + lastSeq);
                roomEventsOnConnection = 0;
            }
            ws.abort();
            ws = null;
            joined = false;
            synchronized (this) {
                reconnects++;
            }
        }
    }

    /** A deliberate reconnect, to the other gateway: part of the load. */
    void switchGateway() {
        dropConnection();
        home = otherGateway(home);
    }

    /** Takes in the frames that have arrived since the last call. */
    synchronized void pump() {
        if (ws == null) {
            return;
        }
        List<JsonNode> frames = ws.frames();
        for (; cursor < frames.size(); cursor++) {
            take(frames.get(cursor));
        }
    }

    private void take(JsonNode frame) {
        String type = frame.path("type").asText();
        JsonNode p = frame.path("payload");
        if ("ack".equals(type) && room.equals(p.path("room").asText()) && p.has("seq") && p.has("epoch")) {
            // A join's answer: a fresh join (or one that could not recover) starts the series at its position.
            boolean fresh = freshJoins.remove(frame.path("id").asText());
            long position = p.path("seq").asLong();
            if (fresh) {
                lastSeq = epochMatches(p) ? Math.max(lastSeq, position) : position;
                epoch = p.path("epoch").asText();
            } else if (!p.path("recovered").asBoolean()) {
                lastSeq = position;
                epoch = p.path("epoch").asText();
            }
            return;
        }
        if ("resync_required".equals(type) && room.equals(p.path("room").asText())) {
            resyncs++;
            if (!p.has("epoch")) {
                // The gateway's last guard: an event reached this connection past a hole (its gaps_told counter).
                // The client is safe, but the fan-out lost events it should have delivered: a defect.
                violations.add(name + ": the gateway caught a hole at this connection before seq " + (p.path("seq")
                        .asLong() + 1) + " (resync_required without epoch: gaps_told)");
            }
            if (!needsFill) {
                // Live messages after the notice must not move the start of the fill past the break.
                fillAfter = lastMessageId;
                needsFill = true;
            }
            // A live notice (no reason) asks for a fresh join; a join's own answer already was one.
            needsRejoin = !p.has("reason");
            // A notice of the series the client already follows, for a position it has passed (it can come
            // after the answer to a join that took the new position), moves nothing back.
            long seq = p.path("seq").asLong(-1);
            boolean passed = epoch != null && epoch.equals(p.path("epoch").asText()) && seq <= lastSeq;
            if (!passed) {
                lastSeq = seq;
                epoch = p.path("epoch").asText(epoch);
            }
            return;
        }
        if (!p.has("event_id") || !room.equals(p.path("room").asText())) {
            return;
        }
        roomEventsOnConnection++;
        // The seq series is checked before de-duplication: an event delivered again under a new seq (Kafka
        // redelivers it after Redis lost its de-duplication markers) still takes its place in the series.
        long seq = p.path("seq").asLong();
        if (lastSeq >= 0 && seq != lastSeq + 1) {
            violations.add(name + ": after seq " + lastSeq + " came " + seq + " (" + type + ") without resync_required");
        }
        lastSeq = Math.max(lastSeq, seq);
        if (!eventIds.add(p.path("event_id").asText())) {
            duplicateEvents++;
            return;
        }
        if ("new_message".equals(type)) {
            String id = p.path("message").path("id").asText();
            liveCount.merge(id, 1, Integer::sum);
            liveOrder.add(id);
            lastMessageId = id;
        }
    }

    private boolean epochMatches(JsonNode p) {
        return epoch != null && epoch.equals(p.path("epoch").asText());
    }

    synchronized long lastSeq() {
        pump();
        return lastSeq;
    }

    synchronized String epoch() {
        return epoch;
    }

    synchronized int liveCount(String messageId) {
        return liveCount.getOrDefault(messageId, 0);
    }

    synchronized boolean filled(String messageId) {
        return filled.contains(messageId);
    }

    synchronized List<String> liveOrder() {
        return List.copyOf(liveOrder);
    }

    private synchronized void note(String what) {
        if (history.size() < 300) {
            String text = what.length() > 300 ? what.substring(0, 300) + "…" : what;
            history.add(java.time.LocalTime.now() + " " + text);
        }
    }

    synchronized List<String> history() {
        return List.copyOf(history);
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    synchronized int resyncs() {
        return resyncs;
    }

    synchronized int reconnects() {
        return reconnects;
    }

    synchronized int sendErrors() {
        return sendErrors;
    }

    synchronized boolean settled() {
        return !needsFill && !needsRejoin;
    }

    void close() {
        if (ws != null) {
            ws.abort();
        }
    }
}
