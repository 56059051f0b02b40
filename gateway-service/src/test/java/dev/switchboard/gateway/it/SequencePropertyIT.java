package dev.switchboard.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.switchboard.testsupport.ServiceProcess;
import dev.switchboard.testsupport.TestJwt;

/**
 * The sequence property (SPEC §6) under churn: three instances, 20 ticket rooms with 10 clients
 * each, chat messages through chat-service and Kafka, clients dropped at random and coming back on
 * a random instance with {@code since}, and one instance killed mid-run. Every client must end with
 * the full, gap-free, duplicate-free sequence of its room.
 */
class SequencePropertyIT {
    private static final int ROOMS = 20;
    private static final int CLIENTS_PER_ROOM = 10;
    private static final int MESSAGES_PER_ROOM = 25;
    private static final int CHURN_ROUNDS = 10;
    private static final int PER_ROUND = 2;

    private static long received(List<ResumingClient> clients) {
        long n = 0;
        for (ResumingClient client : clients) {
            n += client.lastSeq();
        }
        return n;
    }

    @Test
    void everyClientEndsWithTheWholeSequenceOfItsRoom() throws Exception {
        Random random = new Random(7);
        ServiceProcess third = Cluster.startGateway(Map.of());
        List<ServiceProcess> live = new ArrayList<>(List.of(Cluster.gateway1(), Cluster.gateway2(), third));
        String agentToken = TestJwt.agent(Users.id("poster"));
        List<String> tickets = new ArrayList<>();
        for (int r = 0; r < ROOMS; r++) {
            String customerToken = TestJwt.customer(Users.id("cust"));
            tickets.add(Api.createTicket(customerToken, "Sequence " + r, List.of()));
        }
        for (String ticketId : tickets) {
            Api.postFirstMessage(agentToken, ticketId, "opening");
        }
        List<ResumingClient> clients = new ArrayList<>();
        ExecutorService posters = Executors.newFixedThreadPool(ROOMS);
        try {
            for (int r = 0; r < ROOMS; r++) {
                for (int c = 0; c < CLIENTS_PER_ROOM; c++) {
                    ResumingClient client = new ResumingClient(TestJwt.agent(Users.id("member")), tickets.get(r),
                            "r" + r + "c" + c);
                    client.connect(live.get((r * CLIENTS_PER_ROOM + c) % live.size()));
                    clients.add(client);
                }
            }
            // The messages are spread over the churn rounds: each round lets every room's poster send a few more, so
            // messages flow through every round, the kill included, however fast the posting is.
            Semaphore[] allowed = new Semaphore[ROOMS];
            AtomicBoolean posting = new AtomicBoolean(true);
            AtomicInteger posted = new AtomicInteger();
            List<CompletableFuture<Void>> posts = new ArrayList<>();
            for (int r = 0; r < ROOMS; r++) {
                String ticketId = tickets.get(r);
                Semaphore mine = allowed[r] = new Semaphore(0);
                posts.add(CompletableFuture.runAsync(() -> {
                    for (int i = 1; i <= MESSAGES_PER_ROOM; i++) {
                        try {
                            mine.acquire();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException("the test stopped before message " + i, e);
                        }
                        Api.postMessage(agentToken, ticketId, "m" + i);
                        posted.incrementAndGet();
                    }
                }, posters));
            }
            CompletableFuture<Void> allPosted = CompletableFuture.allOf(posts.toArray(CompletableFuture[]::new))
                    .whenComplete((v, e) -> posting.set(false));

            // Churn while the messages flow: drop random clients and bring them back elsewhere; kill one instance.
            int round = 0;
            while (round < CHURN_ROUNDS) {
                round++;
                long received = received(clients);
                for (Semaphore room : allowed) {
                    room.release(PER_ROUND);
                }
                for (int k = 0; k < 8; k++) {
                    ResumingClient victim = clients.get(random.nextInt(clients.size()));
                    victim.drop();
                    victim.connect(live.get(random.nextInt(live.size())));
                }
                if (round == 3) {
                    third.kill();
                    live.remove(third);
                    for (ResumingClient client : clients) {
                        client.pump();
                    }
                }
                for (ResumingClient client : clients) {
                    if (client.isClosed()) {
                        client.connect(live.get(random.nextInt(live.size())));
                    }
                }
                // The next round once this round's messages are arriving (or a poster has failed).
                Awaitility.await("more events arrive").atMost(Duration.ofSeconds(20))
                        .until(() -> received(clients) >= received + 20 || !posting.get());
            }
            for (Semaphore room : allowed) {
                room.release(MESSAGES_PER_ROOM);
            }
            allPosted.get();
            Awaitility.await("every socket of the killed instance is noticed").atMost(Duration.ofSeconds(20))
                    .until(() -> {
                        for (ResumingClient client : clients) {
                            if (client.isClosed()) {
                                client.connect(live.get(random.nextInt(live.size())));
                            }
                        }
                        return clients.stream().noneMatch(ResumingClient::isClosed);
                    });

            // Each room's final seq: every message of every room has reached some member.
            Map<String, Long> finalSeq = new java.util.HashMap<>();
            Awaitility.await("every client has caught up").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(250)).until(() -> {
                        finalSeq.clear();
                        for (ResumingClient client : clients) {
                            finalSeq.merge(client.room(), client.lastSeq(), Math::max);
                        }
                        boolean complete = true;
                        for (ResumingClient client : clients) {
                            long messages = client.seqs().stream().filter(seq -> "new_message"
                                    .equals(client.event(seq).path("type").asText())).count();
                            complete &= client.lastSeq() == finalSeq.get(client.room())
                                    && messages >= MESSAGES_PER_ROOM;
                        }
                        return complete;
                    });
            List<String> problems = new ArrayList<>();
            int reconnects = 0;
            int duplicates = 0;
            for (ResumingClient client : clients) {
                problems.addAll(client.check(finalSeq.get(client.room())));
                reconnects += client.reconnects();
                duplicates += client.duplicates();
            }
            System.out.printf("[figure] sequence property: %d clients, %d rooms, %d messages, %d reconnects,"
                    + " %d duplicates dropped by event_id, %d problems%n", clients.size(), ROOMS,
                    posted.get(), reconnects, duplicates, problems.size());
            assertThat(problems).isEmpty();
            assertThat(reconnects).isGreaterThan(50);
        } finally {
            posters.shutdownNow();
            clients.forEach(ResumingClient::close);
            third.close();
        }
    }
}
