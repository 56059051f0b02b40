package dev.switchboard.reliability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.awaitility.Awaitility;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.WsClient;

/**
 * A steady mixed load on fresh tickets: per ticket a customer (its requester) and an agent (its
 * assignee), one on each gateway, each sending chat messages with a {@code client_msg_id} at a fixed
 * pace and reconnecting to the other gateway every so often ({@code join_ticket {since}}); the agent
 * also changes the ticket's status over REST. Every acked message is recorded for the checker.
 */
final class Load implements AutoCloseable {
    /** One message a member got an ack for: the stored message id, and the order in which its sender got acks. */
    record Ack(String ticketId, String messageId, String clientMsgId, String senderId, long order) {
    }

    record Ticket(String id, Member customer, Member agent) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration SETUP = Duration.ofSeconds(60);
    /** Each member drops its connection and resumes on the other gateway after this many acked messages. */
    private static final int RECONNECT_EVERY = 8;

    final List<Ticket> tickets = new ArrayList<>();
    final List<Member> members = new ArrayList<>();
    final List<Ack> acks = new CopyOnWriteArrayList<>();
    final AtomicInteger attempts = new AtomicInteger();
    final AtomicInteger statusChanges = new AtomicInteger();
    final AtomicInteger statusFailures = new AtomicInteger();
    private final AtomicLong order = new AtomicLong();
    private final Map<Member, AtomicInteger> ackCount = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final long sendIntervalMillis;
    private volatile boolean running = true;
    private final String label;

    /**
     * @param ticketCount tickets, two members each
     * @param messagesPerSecond the whole load's chat rate
     */
    Load(String label, int ticketCount, int messagesPerSecond) {
        this.label = label;
        this.sendIntervalMillis = 1000L * ticketCount * 2 / messagesPerSecond;
        String admin = TestJwt.admin("admin-" + label);
        for (int i = 0; i < ticketCount; i++) {
            String suffix = label + "-" + i + "-" + UUID.randomUUID().toString().substring(0, 6);
            String customerId = "cust-" + suffix;
            String agentId = "agent-" + suffix;
            String customerToken = TestJwt.customer(customerId);
            String agentToken = TestJwt.agent(agentId);
            String ticketId = post(Suite.url(Suite.TICKET) + "/api/v1/tickets", customerToken,
                    Map.of("title", "Reliability " + suffix, "description", "under fault injection"), 201)
                    .path("id").asText();
            post(Suite.url(Suite.TICKET) + "/api/v1/tickets/" + ticketId + "/assignee", admin,
                    Map.of("assignee_id", agentId), 200);
            // Both parties are known downstream before the load starts: chat-service has the ticket, and
            // notification-service has the assignee among its participants (its TICKET_ASSIGNED is written).
            Awaitility.await("chat-service knows " + ticketId).atMost(SETUP)
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                    .until(() -> status(Suite.url(Suite.CHAT) + "/api/v1/tickets/" + ticketId + "/participants",
                            customerToken) == 200);
            Awaitility.await("notification-service knows the assignee of " + ticketId).atMost(SETUP)
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                    .until(() -> Checker.assignedNotifications(agentId, ticketId) == 1);
            Member customer = new Member(customerId, "c" + i, customerToken, ticketId, Suite.GATEWAY_1);
            Member agent = new Member(agentId, "a" + i, agentToken, ticketId, Suite.GATEWAY_2);
            tickets.add(new Ticket(ticketId, customer, agent));
            members.add(customer);
            members.add(agent);
        }
        for (Member m : members) {
            ackCount.put(m, new AtomicInteger());
            Awaitility.await(m.name + " joins").atMost(SETUP).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                try {
                    m.ensureJoined();
                    return true;
                } catch (Member.Broken e) {
                    return false;
                }
            });
        }
    }

    /** The acked messages of one ticket's room, in the order they were acked. */
    List<Ack> acksOf(Ticket t) {
        return acks.stream().filter(a -> a.ticketId().equals(t.id())).toList();
    }

    /** The load in words, for the figures. */
    String describe() {
        return tickets.size() + " tickets, " + members.size() + " WebSocket members over both gateways, "
                + members.size() * 1000 / sendIntervalMillis + " msg/s with client_msg_id, a status change per ticket"
                + " every 2.5 s, each member reconnecting to the other gateway (join since) every " + RECONNECT_EVERY + " messages";
    }

    void start() {
        for (Member m : members) {
            threads.add(started("load-" + m.name, () -> sendLoop(m)));
        }
        for (Ticket t : tickets) {
            threads.add(started("status-" + t.id(), () -> statusLoop(t)));
        }
    }

    private static Thread started(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void sendLoop(Member m) {
        int sent = 0;
        String pending = null;
        long next = System.currentTimeMillis();
        // Runs until stopped and nothing is left unacknowledged: every message it started is acked in the end.
        while (running || pending != null) {
            pace(next);
            next += sendIntervalMillis;
            try {
                m.ensureJoined();
                if (pending == null) {
                    if (!running) {
                        break;
                    }
                    pending = label + "-" + m.name + "-" + (++sent);
                    attempts.incrementAndGet();
                }
                JsonNode stored = m.send(pending, "message " + pending);
                if (stored != null) {
                    acks.add(new Ack(m.ticketId, stored.path("id").asText(), pending, m.userId, order.incrementAndGet()));
                    ackCount.get(m).incrementAndGet();
                    pending = null;
                    if (sent % RECONNECT_EVERY == 0) {
                        m.switchGateway();
                    }
                }
            } catch (Member.Broken e) {
                // Reconnects on the next round, with since; the pending message is sent again with the same id.
            }
            if (System.currentTimeMillis() > next + 5000) {
                next = System.currentTimeMillis();
            }
        }
    }

    private void statusLoop(Ticket t) {
        String[] statuses = { "IN_PROGRESS", "WAITING_ON_CUSTOMER" };
        int i = 0;
        long next = System.currentTimeMillis();
        while (running) {
            next += 2500;
            pace(next);
            try {
                int status = postStatus(Suite.url(Suite.TICKET) + "/api/v1/tickets/" + t.id() + "/status",
                        t.agent().token, Map.of("status", statuses[i % 2]));
                if (status == 200) {
                    statusChanges.incrementAndGet();
                    i++;
                } else {
                    statusFailures.incrementAndGet();
                }
            } catch (RuntimeException e) {
                statusFailures.incrementAndGet();
            }
        }
    }

    /** The load's pace (not a synchronisation): waits until the next send is due. */
    private static void pace(long due) {
        long wait = due - System.currentTimeMillis();
        if (wait > 0) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits until every member has at least {@code count} more acks than when asked. */
    void awaitProgress(int count, Duration atMost) {
        Map<Member, Integer> from = new java.util.HashMap<>();
        ackCount.forEach((m, c) -> from.put(m, c.get()));
        Awaitility.await("every member gets " + count + " more acks").atMost(atMost)
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                .until(() -> members.stream().allMatch(m -> ackCount.get(m).get() >= from.get(m) + count));
    }

    /** Stops the load: each member finishes the message it has started (until acked), then stops. */
    void stop(Duration atMost) {
        running = false;
        for (Thread t : threads) {
            try {
                t.join(atMost.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " did not get its last message acked within " + atMost);
            }
        }
        // Connected, in the room, any resync filled: what the checker compares.
        for (Member m : members) {
            Awaitility.await(m.name + " is connected and settled").atMost(atMost)
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        try {
                            m.ensureJoined();
                            return m.settled();
                        } catch (Member.Broken e) {
                            return false;
                        }
                    });
        }
    }

    @Override
    public void close() {
        running = false;
        members.forEach(Member::close);
    }

    static JsonNode post(String url, String token, Object body, int expected) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(WsClient.JSON.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expected) {
                throw new AssertionError("POST " + url + " answered " + response.statusCode() + ": " + response.body());
            }
            return WsClient.JSON.readTree(response.body());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("POST " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int postStatus(String url, String token, Object body) {
        try {
            return statusOf(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(WsClient.JSON.writeValueAsString(body))), token);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static int status(String url, String token) {
        return statusOf(HttpRequest.newBuilder(URI.create(url)).GET(), token);
    }

    /** The status of the request with the user's token; -1 when it got no answer (a service down or hung). */
    private static int statusOf(HttpRequest.Builder request, String token) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(5)).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static JsonNode get(String url, String token) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(5)).header("Authorization", "Bearer " + token).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("GET " + url + " answered " + response.statusCode() + ": " + response.body());
            }
            return WsClient.JSON.readTree(response.body());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("GET " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
