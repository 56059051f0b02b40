package dev.switchboard.reliability;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import dev.switchboard.testsupport.TestRedis;
import dev.switchboard.testsupport.TestStack;

/**
 * What must hold after a fault and its recovery, checked against the services' databases (the test
 * stack's PostgreSQL, read directly) and what every client received:
 * <ol>
 * <li>every acked message is stored exactly once (one row with its client_msg_id, and it is the acked id);</li>
 * <li>every room member has every acked message of its room exactly once after de-duplication by
 * event_id: live, or — only after a {@code resync_required} — from the chat history it fetched to fill
 * the break; live room events follow each other seq by seq, a jump is a silent gap unless a
 * {@code resync_required} came first; each sender's messages arrive live in the order they were acked;</li>
 * <li>notifications agree with the databases: the requester has one TICKET_STATUS_CHANGED per status
 * change in ticket-service's activity log, each party's collapsed NEW_MESSAGE counts exactly the other
 * party's stored messages, and unread-count over REST equals the unread rows.</li>
 * </ol>
 */
final class Checker {
    private static final Duration SETTLE = Duration.ofSeconds(90);

    /** The figures of one fault run. */
    record Figures(String fault, String load, long sent, long acked, long delivered, long expectedDeliveries,
            long lost, long duplicates, long resyncs, long filledFromHistory, long reconnects, long sendErrors,
            long statusChanges, long notificationsChecked, long readyMillis, long faultMillis) {
    }

    private Checker() {
    }

    static Connection db(String database) throws SQLException {
        return DriverManager.getConnection(TestStack.PROFILE.jdbcUrl(database), "switchboard", "");
    }

    static int assignedNotifications(String userId, String ticketId) {
        return count("notification", "select count(*) from notification where user_id = ? and ticket_id = ?::uuid"
                + " and type = 'TICKET_ASSIGNED'", userId, ticketId);
    }

    private static int count(String database, String sql, String... args) {
        try (Connection c = db(database); PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                st.setString(i + 1, args[i]);
            }
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(database + ": " + e.getMessage(), e);
        }
    }

    /** Waits until every member has caught up (or the deadline passes), then checks; returns the figures. */
    static Figures check(String fault, Load load, long readyMillis, long faultMillis) {
        List<String> problems = new ArrayList<>();
        awaitDelivered(load);

        // 1. Stored exactly once.
        Map<String, List<String[]>> stored = storedByClientMsgId(load);
        for (Load.Ack ack : load.acks) {
            List<String[]> rows = stored.getOrDefault(ack.clientMsgId(), List.of());
            if (rows.size() != 1) {
                problems.add("acked " + ack.clientMsgId() + " is stored " + rows.size() + " times");
            } else if (!rows.get(0)[0].equals(ack.messageId())) {
                problems.add("acked " + ack.clientMsgId() + " as " + ack.messageId() + " but stored as " + rows.get(0)[0]);
            }
        }

        // 2. Every member: every acked message of its room once, no silent gap, each sender's order kept.
        long delivered = 0;
        long expected = 0;
        long lost = 0;
        long duplicates = 0;
        long filled = 0;
        for (Load.Ticket t : load.tickets) {
            List<Load.Ack> roomAcks = load.acksOf(t);
            for (Member m : List.of(t.customer(), t.agent())) {
                problems.addAll(m.violations());
                for (Load.Ack ack : roomAcks) {
                    expected++;
                    int live = m.liveCount(ack.messageId());
                    if (live == 1) {
                        delivered++;
                    } else if (live > 1) {
                        duplicates += live - 1;
                        delivered++;
                        problems.add(m.name + " got " + ack.clientMsgId() + " " + live + " times (distinct event ids)");
                    } else if (m.filled(ack.messageId()) && m.resyncs() > 0) {
                        delivered++;
                        filled++;
                    } else {
                        lost++;
                        problems.add(m.name + " never got " + ack.clientMsgId() + " (" + ack.messageId() + ")");
                    }
                }
                Map<String, Long> orderOf = new HashMap<>();
                roomAcks.forEach(a -> orderOf.put(a.messageId(), a.order()));
                Map<String, Long> lastBySender = new HashMap<>();
                Map<String, String> senderOf = new HashMap<>();
                roomAcks.forEach(a -> senderOf.put(a.messageId(), a.senderId()));
                for (String id : m.liveOrder()) {
                    Long order = orderOf.get(id);
                    if (order == null) {
                        continue;
                    }
                    Long previous = lastBySender.put(senderOf.get(id), order);
                    if (previous != null && previous > order) {
                        problems.add(m.name + " got " + id + " of " + senderOf.get(id) + " out of order");
                    }
                }
            }
        }

        // 3. Notifications agree with the databases.
        int notifications = checkNotifications(load, problems);

        long reconnects = load.members.stream().mapToLong(Member::reconnects).sum();
        long resyncs = load.members.stream().mapToLong(Member::resyncs).sum();
        long sendErrors = load.members.stream().mapToLong(Member::sendErrors).sum();
        Figures figures = new Figures(fault, load.describe(), load.attempts.get(), load.acks.size(), delivered, expected,
                lost, duplicates, resyncs, filled, reconnects, sendErrors, load.statusChanges.get(), notifications,
                readyMillis, faultMillis);
        if (!problems.isEmpty()) {
            // The connection history of every member a problem names: where it was, what its joins answered.
            StringBuilder histories = new StringBuilder();
            for (Member m : load.members) {
                if (problems.stream().anyMatch(p -> p.startsWith(m.name + " ") || p.startsWith(m.name + ":"))) {
                    histories.append("\n  history of ").append(m.name).append(":\n    ")
                            .append(String.join("\n    ", m.history()));
                }
            }
            throw new AssertionError(fault + ": " + problems.size() + " problem(s); " + figures + "\n  "
                    + String.join("\n  ", problems.subList(0, Math.min(30, problems.size()))) + histories);
        }
        return figures;
    }

    /**
     * Every member has caught up with its room: it has every acked message of the room (live, or from history
     * after a resync) and stands at the room's current seq and epoch, or the check shows what is missing. The room's
     * position alone is not enough: after a gateway is killed, the events of its Kafka partitions reach Redis only
     * once the consumer group has handed them over (the session timeout), after the load may have stopped.
     */
    private static void awaitDelivered(Load load) {
        try {
            Awaitility.await("every member has every acked message and is at its room's position").atMost(SETTLE)
                    .pollInterval(Duration.ofMillis(250)).until(() -> load.tickets.stream().allMatch(t -> {
                        String seq = TestRedis.bulk("GET", "sb:{ticket:" + t.id() + "}:seq");
                        String epoch = TestRedis.bulk("GET", "sb:{ticket:" + t.id() + "}:epoch");
                        List<Load.Ack> roomAcks = load.acksOf(t);
                        return seq != null && epoch != null && List.of(t.customer(), t.agent()).stream().allMatch(m -> {
                            try {
                                // As a client would: takes in what arrived, rejoins and fills after a resync.
                                m.ensureJoined();
                            } catch (Member.Broken e) {
                                return false;
                            }
                            return m.lastSeq() == Long.parseLong(seq) && epoch.equals(m.epoch())
                                    && roomAcks.stream().allMatch(a -> m.liveCount(a.messageId()) > 0
                                            || m.filled(a.messageId()));
                        });
                    }));
        } catch (ConditionTimeoutException e) {
            // The check below says which messages are missing where.
            System.out.println("[reliability] members did not all get every message: " + e.getMessage());
        }
    }

    private static Map<String, List<String[]>> storedByClientMsgId(Load load) {
        Map<String, List<String[]>> stored = new HashMap<>();
        try (Connection c = db("chat"); PreparedStatement st = c.prepareStatement(
                "select id::text, client_msg_id from chat_message where ticket_id = ?::uuid and client_msg_id is not null")) {
            for (Load.Ticket t : load.tickets) {
                st.setString(1, t.id());
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        stored.computeIfAbsent(rs.getString(2), k -> new ArrayList<>())
                                .add(new String[] { rs.getString(1) });
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("chat: " + e.getMessage(), e);
        }
        return stored;
    }

    private static int checkNotifications(Load load, List<String> problems) {
        int checked = 0;
        for (Load.Ticket t : load.tickets) {
            Member customer = t.customer();
            Member agent = t.agent();
            List<String> mismatch = new ArrayList<>();
            try {
                // The notification consumer may still be working off what the fault held back.
                Awaitility.await("notifications of " + t.id() + " agree").atMost(SETTLE)
                        .pollInterval(Duration.ofMillis(500)).until(() -> {
                            mismatch.clear();
                            int changes = count("ticket", "select count(*) from ticket_activity where ticket_id = ?::uuid"
                                    + " and action = 'STATUS_CHANGED'", t.id());
                            int told = count("notification", "select count(*) from notification where user_id = ? and"
                                    + " ticket_id = ?::uuid and type = 'TICKET_STATUS_CHANGED'", customer.userId, t.id());
                            if (changes != told) {
                                mismatch.add(customer.name + ": " + told + " TICKET_STATUS_CHANGED for " + changes
                                        + " status changes");
                            }
                            for (Member[] pair : new Member[][] { { customer, agent }, { agent, customer } }) {
                                int messages = count("chat", "select count(*) from chat_message where ticket_id = ?::uuid"
                                        + " and author_id = ? and type <> 'SYSTEM'", t.id(), pair[1].userId);
                                int counted = count("notification", "select coalesce(sum(count), 0) from notification"
                                        + " where user_id = ? and ticket_id = ?::uuid and type = 'NEW_MESSAGE'",
                                        pair[0].userId, t.id());
                                if (messages != counted) {
                                    mismatch.add(pair[0].name + ": NEW_MESSAGE counts " + counted + " of " + messages
                                            + " messages");
                                }
                                int unreadRows = count("notification", "select count(*) from notification where"
                                        + " user_id = ? and read_at is null", pair[0].userId);
                                int unread = Load.get(Suite.url(Suite.NOTIFICATION)
                                        + "/api/v1/notifications/unread-count", pair[0].token).path("unread").asInt(-1);
                                if (unread != unreadRows) {
                                    mismatch.add(pair[0].name + ": unread-count " + unread + ", database " + unreadRows);
                                }
                            }
                            return mismatch.isEmpty();
                        });
                checked += 2;
            } catch (ConditionTimeoutException e) {
                problems.addAll(mismatch);
            }
        }
        return checked;
    }
}
