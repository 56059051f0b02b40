package dev.switchboard.gateway.room;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.switchboard.gateway.broker.RedisBroker;
import dev.switchboard.gateway.client.ChatClient;
import dev.switchboard.gateway.client.ServiceCalls;
import dev.switchboard.gateway.config.GatewayConfig;
import dev.switchboard.gateway.security.Identity;
import dev.switchboard.gateway.websocket.FrameCodec;
import io.smallrye.mutiny.Uni;

/**
 * Answers {@code join_ticket {since, epoch}} (SPEC §6): the room events after {@code since}, in
 * order, from the room log; where the log no longer reaches back, from the room's long index, whose
 * chat messages are read back from chat-service (with the user's own token) and put into the same
 * frames, with their original seq and event id. Only when neither can give every event, or
 * {@code since} is not a position in the room's current seq series (from the future, or from an
 * epoch that has ended), the answer is {@code resync_required}: never a silent hole.
 */
@ApplicationScoped
public class RoomRecovery {
    private static final int PAGE = 100;

    private final RedisBroker broker;
    private final ServiceCalls calls;
    private final ChatClient chat;
    private final FrameCodec codec;
    private final GatewayConfig config;
    private final LongAdder fromLog = new LongAdder();
    private final LongAdder fromHistory = new LongAdder();
    private final LongAdder resyncs = new LongAdder();

    public RoomRecovery(RedisBroker broker, ServiceCalls calls, @RestClient ChatClient chat, FrameCodec codec,
            GatewayConfig config) {
        this.broker = broker;
        this.calls = calls;
        this.chat = chat;
        this.codec = codec;
        this.config = config;
    }

    /**
     * @param recovered whether {@code frames} are every event after {@code since}
     * @param seq the room's seq the answer is up to
     * @param reason why not, when not recovered
     */
    public record Result(boolean recovered, long seq, String epoch, List<String> frames, int fromHistory,
            String reason) {
        static Result resync(RedisBroker.Position p, String reason) {
            return new Result(false, p.seq(), p.epoch(), List.of(), 0, reason);
        }
    }

    public Uni<Result> recover(Identity identity, String ticketId, String room, long since, String epoch) {
        return broker.positionWithEpoch(room).chain(p -> {
            if (epoch != null && !epoch.equals(p.epoch())) {
                return resync(p, "the room's seq series has started again (epoch " + p.epoch() + ")");
            }
            if (since > p.seq()) {
                return resync(p, "since is ahead of the room (" + p.seq() + ")");
            }
            if (since == p.seq()) {
                return Uni.createFrom().item(new Result(true, p.seq(), p.epoch(), List.of(), 0, null));
            }
            return broker.range(room, since + 1, p.seq()).chain(log -> {
                long firstInLog = log.isEmpty() ? p.seq() + 1 : log.get(0).seq();
                List<String> logFrames = log.stream().map(RedisBroker.LogEntry::frame).toList();
                if (firstInLog == since + 1) {
                    fromLog.add(logFrames.size());
                    return Uni.createFrom().item(new Result(true, p.seq(), p.epoch(), logFrames, 0, null));
                }
                return fromIndex(identity, ticketId, room, since + 1, firstInLog - 1).chain(older -> {
                    if (older == null) {
                        return resync(p, "the room log and its index no longer reach back to " + since);
                    }
                    List<String> frames = new ArrayList<>(older.size() + logFrames.size());
                    frames.addAll(older);
                    frames.addAll(logFrames);
                    fromLog.add(logFrames.size());
                    fromHistory.add(older.size());
                    return Uni.createFrom().item(new Result(true, p.seq(), p.epoch(), frames, older.size(), null));
                });
            });
        });
    }

    /** Just the room's position, for a join without {@code since}. */
    public Uni<Result> position(String room) {
        return broker.positionWithEpoch(room).map(p -> new Result(false, p.seq(), p.epoch(), List.of(), 0, null));
    }

    public long recoveredFromLog() {
        return fromLog.sum();
    }

    public long recoveredFromHistory() {
        return fromHistory.sum();
    }

    public long resyncs() {
        return resyncs.sum();
    }

    private Uni<Result> resync(RedisBroker.Position p, String reason) {
        resyncs.increment();
        return Uni.createFrom().item(Result.resync(p, reason));
    }

    /** Events {@code from..to} rebuilt from the index and chat-service, or null when that cannot give all of them. */
    private Uni<List<String>> fromIndex(Identity identity, String ticketId, String room, long from, long to) {
        return broker.indexRange(room, from, to).chain(entries -> {
            if (entries.isEmpty() || entries.get(0).seq() != from || entries.get(entries.size() - 1).seq() != to
                    || entries.size() != to - from + 1 || entries.stream().anyMatch(e -> e.frame() == null)) {
                return Uni.createFrom().nullItem();
            }
            Set<String> wanted = new LinkedHashSet<>();
            entries.stream().filter(e -> e.messageId() != null).forEach(e -> wanted.add(e.messageId()));
            return messages(identity, ticketId, wanted, new HashMap<>(), null, 0).map(found -> {
                if (found == null) {
                    return null;
                }
                List<String> frames = new ArrayList<>(entries.size());
                for (RedisBroker.IndexEntry e : entries) {
                    if (e.messageId() == null) {
                        frames.add(e.frame());
                        continue;
                    }
                    JsonNode stub = codec.read(e.frame());
                    ((ObjectNode) stub.path("payload")).set("message", found.get(e.messageId()));
                    frames.add(codec.write(stub));
                }
                return frames;
            });
        });
    }

    /** Reads the ticket's chat backwards, page by page, until every wanted message is found (null: not all were). */
    private Uni<Map<String, JsonNode>> messages(Identity identity, String ticketId, Set<String> wanted,
            Map<String, JsonNode> found, String before, int pages) {
        if (found.keySet().containsAll(wanted)) {
            return Uni.createFrom().item(found);
        }
        if (pages >= config.roomLog().historyPages()) {
            return Uni.createFrom().nullItem();
        }
        return calls.chat(() -> chat.messages(identity.bearer(), ticketId, before, null, null, PAGE)).chain(page -> {
            for (JsonNode m : page.path("items")) {
                String id = m.path("id").asText();
                if (wanted.contains(id)) {
                    found.put(id, m);
                }
            }
            JsonNode next = page.path("next_before");
            if (found.keySet().containsAll(wanted)) {
                return Uni.createFrom().item(found);
            }
            if (next.isNull() || next.isMissingNode()) {
                return Uni.createFrom().nullItem();
            }
            return messages(identity, ticketId, wanted, found, next.asText(), pages + 1);
        });
    }
}
