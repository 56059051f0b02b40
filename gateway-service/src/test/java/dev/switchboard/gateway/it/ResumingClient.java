package dev.switchboard.gateway.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.ServiceProcess;
import dev.switchboard.testsupport.WsClient;

/**
 * A client of one ticket room that does what SPEC §6 asks of a client: it remembers the last seq
 * (and epoch) it has seen, resumes with {@code join_ticket {since, epoch}} after every reconnect,
 * and drops duplicates by {@code event_id}. It records what it got, for a checker: every seq once,
 * in order, no gap, no {@code resync_required}.
 */
final class ResumingClient implements AutoCloseable {
    private final String token;
    private final String ticketId;
    private final String room;
    private final String name;
    private WsClient ws;
    private int cursor;
    private long lastSeq = -1;
    private long startSeq;
    private String epoch;
    private int reconnects;
    private int duplicates;
    private final List<Long> seqs = new ArrayList<>();
    private final Set<String> eventIds = new HashSet<>();
    private final Map<Long, JsonNode> events = new HashMap<>();
    private final List<String> violations = new ArrayList<>();

    ResumingClient(String token, String ticketId, String name) {
        this.token = token;
        this.ticketId = ticketId;
        this.room = "ticket:" + ticketId;
        this.name = name;
    }

    /** Connects to the instance and joins the room: fresh the first time, with since and epoch after. */
    synchronized void connect(ServiceProcess gateway) {
        if (ws != null) {
            pump();
            reconnects++;
        }
        ws = WsClient.to(gateway.wsUrl()).bearer(token).name(name).connect();
        cursor = 0;
        Map<String, Object> join = new HashMap<>();
        join.put("ticket_id", ticketId);
        if (lastSeq >= 0) {
            join.put("since", lastSeq);
            join.put("epoch", epoch);
        }
        JsonNode ack = ws.ack("join_ticket", join);
        if (lastSeq < 0) {
            lastSeq = ack.path("seq").asLong();
            startSeq = lastSeq;
            epoch = ack.path("epoch").asText();
        } else if (!ack.path("recovered").asBoolean()) {
            violations.add("join with since " + lastSeq + " not recovered: " + ack);
        }
        pump();
    }

    /** Drops the connection as a killed tab or a network failure would. */
    synchronized void drop() {
        pump();
        ws.abort();
    }

    boolean isClosed() {
        return ws.isClosed();
    }

    /** Takes in what has arrived since the last call. */
    synchronized void pump() {
        List<JsonNode> frames = ws.frames();
        for (; cursor < frames.size(); cursor++) {
            JsonNode frame = frames.get(cursor);
            JsonNode p = frame.path("payload");
            if ("resync_required".equals(frame.path("type").asText()) && room.equals(p.path("room").asText())) {
                violations.add("resync_required: " + p);
                continue;
            }
            if (!p.has("event_id") || !room.equals(p.path("room").asText())) {
                continue;
            }
            // The seq series first: an event delivered again under a new seq still takes its place in it.
            long seq = p.path("seq").asLong();
            if (seq != lastSeq + 1) {
                violations.add("after seq " + lastSeq + " came " + seq);
            }
            lastSeq = Math.max(lastSeq, seq);
            if (!eventIds.add(p.path("event_id").asText())) {
                duplicates++;
                continue;
            }
            seqs.add(seq);
            events.put(seq, frame);
        }
    }

    synchronized long lastSeq() {
        pump();
        return lastSeq;
    }

    synchronized String epoch() {
        return epoch;
    }

    long startSeq() {
        return startSeq;
    }

    synchronized List<Long> seqs() {
        return List.copyOf(seqs);
    }

    synchronized JsonNode event(long seq) {
        return events.get(seq);
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    int duplicates() {
        return duplicates;
    }

    int reconnects() {
        return reconnects;
    }

    String name() {
        return name;
    }

    String room() {
        return room;
    }

    /** Checks what it got against the room's final seq: each of startSeq+1..finalSeq once, in order. */
    synchronized List<String> check(long finalSeq) {
        List<String> problems = new ArrayList<>(violations);
        List<Long> expected = new ArrayList<>();
        for (long s = startSeq + 1; s <= finalSeq; s++) {
            expected.add(s);
        }
        if (!seqs.equals(expected)) {
            problems.add(name + " got " + seqs.size() + " events, expected " + expected.size() + " (" + (startSeq + 1)
                    + ".." + finalSeq + ")");
        }
        return problems;
    }

    @Override
    public void close() {
        if (ws != null) {
            ws.close();
        }
    }
}
