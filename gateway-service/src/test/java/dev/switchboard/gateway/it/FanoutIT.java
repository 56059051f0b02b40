package dev.switchboard.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.KafkaTopicReader;
import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.TestStack;
import dev.switchboard.testsupport.WsClient;

/**
 * Every event type of the three topics, produced by the real services, arrives at the right rooms
 * with the right payload (the mapping table in README), across the two instances.
 */
class FanoutIT {

    private static JsonNode payload(JsonNode frame) {
        return frame.path("payload");
    }

    @Test
    void ticketEvents() {
        String customerId = Users.id("cust");
        String customerToken = TestJwt.customer(customerId);
        String assigneeId = Users.id("agent");
        String assigneeToken = TestJwt.agent(assigneeId);
        String watcherId = Users.id("watcher");
        try (WsClient customer = Users.connect(Cluster.gateway1(), customerToken, "customer");
                WsClient agent = Users.connect(Cluster.gateway2(), TestJwt.agent(Users.id("agent")), "agent");
                WsClient admin = Users.connect(Cluster.gateway1(), Users.admin(), "admin");
                WsClient assignee = Users.connect(Cluster.gateway2(), assigneeToken, "assignee");
                WsClient watcher = Users.connect(Cluster.gateway1(), TestJwt.customer(watcherId), "watcher")) {
            String ticketId = Api.createTicket(customerToken, "Fan-out", List.of());

            // created -> ticket_created to role:agent, role:admin and the requester's own room
            JsonNode created = agent.awaitEvent("ticket_created", p -> p.path("ticket_id").asText().equals(ticketId));
            assertThat(payload(created).path("room").asText()).isEqualTo("role:agent");
            assertThat(payload(created).path("ticket").path("title").asText()).isEqualTo("Fan-out");
            assertThat(payload(admin.awaitEvent("ticket_created", p -> p.path("ticket_id").asText().equals(ticketId)))
                    .path("room").asText()).isEqualTo("role:admin");
            JsonNode own = customer.awaitEvent("ticket_created", p -> p.path("ticket_id").asText().equals(ticketId));
            assertThat(payload(own).path("room").asText()).isEqualTo("user:" + customerId);
            assertThat(payload(own).path("event_id").asText()).isEqualTo(payload(created).path("event_id").asText());

            Users.join(customer, ticketId);
            Users.join(agent, ticketId);

            // updated -> ticket_updated in the ticket room
            Api.update(assigneeToken, ticketId, "Fan-out (renamed)");
            JsonNode updated = customer.awaitEvent("ticket_updated",
                    p -> p.path("room").asText().equals("ticket:" + ticketId));
            assertThat(payload(updated).path("ticket").path("title").asText()).isEqualTo("Fan-out (renamed)");
            assertThat(payload(updated).path("changes").has("title")).isTrue();

            // status_changed -> ticket_status_update {status, old_status}
            Api.status(assigneeToken, ticketId, "IN_PROGRESS");
            JsonNode status = agent.awaitEvent("ticket_status_update",
                    p -> p.path("room").asText().equals("ticket:" + ticketId));
            assertThat(payload(status).path("status").asText()).isEqualTo("IN_PROGRESS");
            assertThat(payload(status).path("old_status").asText()).isEqualTo("OPEN");
            customer.awaitEvent("ticket_status_update", p -> p.path("status").asText().equals("IN_PROGRESS"));

            // assigned -> ticket_assigned to the room, ticket_assigned_to_you to the assignee, who is also notified
            Api.assign(assigneeToken, ticketId, assigneeId);
            JsonNode assigned = customer.awaitEvent("ticket_assigned",
                    p -> p.path("room").asText().equals("ticket:" + ticketId));
            assertThat(payload(assigned).path("assignee_id").asText()).isEqualTo(assigneeId);
            JsonNode toYou = assignee.awaitEvent("ticket_assigned_to_you", p -> p.path("ticket_id").asText().equals(ticketId));
            assertThat(payload(toYou).path("room").asText()).isEqualTo("user:" + assigneeId);

            // comment_added (PUBLIC) -> the ticket room
            Api.comment(assigneeToken, ticketId, "looking into it", "PUBLIC");
            JsonNode comment = customer.awaitEvent("comment_added", p -> p.path("ticket_id").asText().equals(ticketId));
            assertThat(payload(comment).path("comment").path("body").asText()).isEqualTo("looking into it");

            // participant_added -> ticket_updated to the new participant's own room
            Api.addWatcher(assigneeToken, ticketId, watcherId);
            JsonNode added = watcher.awaitEvent("ticket_updated", p -> p.path("ticket_id").asText().equals(ticketId));
            assertThat(payload(added).path("room").asText()).isEqualTo("user:" + watcherId);
            assertThat(payload(added).path("ticket").path("watcher_ids").toString()).contains(watcherId);

            // seq: strictly increasing without gaps within the ticket room, as the customer saw it
            List<Long> seqs = customer.frames().stream()
                    .filter(f -> payload(f).path("room").asText().equals("ticket:" + ticketId) && payload(f).has("event_id"))
                    .map(f -> payload(f).path("seq").asLong()).toList();
            assertThat(seqs).isSorted().doesNotHaveDuplicates();
            assertThat(seqs.get(seqs.size() - 1) - seqs.get(0)).isEqualTo(seqs.size() - 1);
        }
    }

    @Test
    void chatAndNotificationEvents() {
        String customerId = Users.id("cust");
        String customerToken = TestJwt.customer(customerId);
        String agentId = Users.id("agent");
        String agentToken = TestJwt.agent(agentId);
        String ticketId = Api.createTicket(customerToken, "Chat fan-out", List.of());
        try (WsClient customer = Users.connect(Cluster.gateway1(), customerToken, "customer");
                WsClient agent = Users.connect(Cluster.gateway2(), agentToken, "agent")) {
            Users.join(customer, ticketId);
            Users.join(agent, ticketId);

            // message_created -> new_message
            JsonNode sent = Users.send(agent, ticketId, "hello <b>there</b>").path("message");
            String messageId = sent.path("id").asText();
            JsonNode created = customer.awaitEvent("new_message", p -> p.path("message").path("id").asText().equals(messageId));
            assertThat(payload(created).path("ticket_id").asText()).isEqualTo(ticketId);
            assertThat(payload(created).path("message").path("author_id").asText()).isEqualTo(agentId);

            // message_updated and message_deleted
            Api.editMessage(agentToken, messageId, "hello again");
            JsonNode edited = customer.awaitEvent("message_updated", p -> p.path("message").path("id").asText().equals(messageId));
            assertThat(payload(edited).path("message").path("message").asText()).isEqualTo("hello again");
            Api.deleteMessage(agentToken, messageId);
            customer.awaitEvent("message_deleted", p -> p.path("message_id").asText().equals(messageId)
                    || p.path("message").path("id").asText().equals(messageId));

            // message_seen -> message_status_update {message_id, status: seen, user_id}
            String second = Users.send(agent, ticketId, "please confirm").path("message").path("id").asText();
            customer.awaitEvent("new_message", p -> p.path("message").path("id").asText().equals(second));
            customer.ack("message_seen", Map.of("ticket_id", ticketId, "message_id", second));
            JsonNode seen = agent.awaitEvent("message_status_update", p -> p.path("message_id").asText().equals(second));
            assertThat(payload(seen).path("status").asText()).isEqualTo("seen");
            assertThat(payload(seen).path("user_id").asText()).isEqualTo(customerId);

            // notification.created -> notification + notification_count {unread} to the user's room
            JsonNode notification = customer.awaitEvent("notification",
                    p -> p.path("notification").path("ticket_id").asText().equals(ticketId));
            assertThat(payload(notification).path("room").asText()).isEqualTo("user:" + customerId);
            customer.awaitEvent("notification_count", p -> p.path("unread").asLong() >= 1
                    && p.path("room").asText().equals("user:" + customerId));

            // notification.read -> notification_count with the new full value (never a delta)
            String notificationId = payload(notification).path("notification").path("id").asText();
            long unread = customer.ack("mark_notification_read", Map.of("notification_id", notificationId))
                    .path("unread").asLong();
            customer.awaitEvent("notification_count", p -> p.path("unread").asLong() == unread
                    && p.path("notification_ids").toString().contains(notificationId));
        }
    }

    /**
     * The consumers take batches: a record that is not an event goes to the dead-letter topic on its
     * own, and the records around it (same partition, same key) are published as usual.
     */
    @Test
    void aRecordThatIsNotAnEventIsDeadLetteredAndTheRestGoOn() throws Exception {
        String customerId = Users.id("cust");
        String customerToken = TestJwt.customer(customerId);
        String agentToken = TestJwt.agent(Users.id("agent"));
        String ticketId = Api.createTicket(customerToken, "Poison record", List.of());
        try (WsClient customer = Users.connect(Cluster.gateway1(), customerToken, "customer");
                WsClient agent = Users.connect(Cluster.gateway2(), agentToken, "agent");
                KafkaTopicReader deadLetters = KafkaTopicReader.fromNow("switchboard.gateway-service.chat-events.dlq");
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.PROFILE.kafkaBootstrap()),
                        new StringSerializer(), new ByteArraySerializer())) {
            Users.join(customer, ticketId);
            Users.join(agent, ticketId);
            String before = Users.send(agent, ticketId, "before the poison").path("message").path("id").asText();
            // Same key as the ticket's own events: same partition, same lane as the messages around it.
            producer.send(new ProducerRecord<>("switchboard.chat-events", ticketId,
                    "not a cloud event".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
            ProducerRecord<String, byte[]> badData = new ProducerRecord<>("switchboard.chat-events", ticketId,
                    "{not json".getBytes(StandardCharsets.UTF_8));
            badData.headers().add("ce_id", "poison-".concat(ticketId).getBytes(StandardCharsets.UTF_8));
            badData.headers().add("ce_type", "switchboard.chat.message_created.v1".getBytes(StandardCharsets.UTF_8));
            producer.send(badData).get(10, TimeUnit.SECONDS);
            String after = Users.send(agent, ticketId, "after the poison").path("message").path("id").asText();

            customer.awaitEvent("new_message", p -> p.path("message").path("id").asText().equals(before));
            customer.awaitEvent("new_message", p -> p.path("message").path("id").asText().equals(after));
            List<ConsumerRecord<String, byte[]>> dead = deadLetters.awaitRecords(Duration.ofSeconds(30),
                    records -> records.stream().filter(r -> ticketId.equals(r.key())).count() >= 2);
            List<ConsumerRecord<String, byte[]>> ours = dead.stream().filter(r -> ticketId.equals(r.key())).toList();
            assertThat(ours).hasSize(2);
            assertThat(new String(ours.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("not a cloud event");
            assertThat(new String(ours.get(1).value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
            for (ConsumerRecord<String, byte[]> r : ours) {
                assertThat(r.headers().lastHeader("dead-letter-reason")).isNotNull();
                assertThat(new String(r.headers().lastHeader("dead-letter-topic").value(), StandardCharsets.UTF_8))
                        .isEqualTo("switchboard.chat-events");
            }
        }
    }

    /**
     * A poll that holds events of many tickets goes to Redis in pipelined batches (batched-publish): every
     * room gets all of its events, each room's in the order they were produced — also when Redis has lost
     * the publish script (SCRIPT FLUSH, as after a Redis restart), which fails the batch and sends its
     * records again one by one.
     */
    @Test
    void eventsOfManyTicketsInOnePollReachEveryRoomInOrderAlsoAfterRedisLostTheScript() throws Exception {
        String customerToken = TestJwt.customer(Users.id("cust"));
        List<String> tickets = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tickets.add(Api.createTicket(customerToken, "Batched " + i, List.of()));
        }
        int edits = 5;
        try (WsClient agent = Users.connect(Cluster.gateway1(), TestJwt.agent(Users.id("agent")), "agent");
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.PROFILE.kafkaBootstrap(),
                        ProducerConfig.LINGER_MS_CONFIG, 50), new StringSerializer(), new ByteArraySerializer())) {
            for (String ticketId : tickets) {
                Users.join(agent, ticketId);
            }
            dev.switchboard.testsupport.TestRedis.call("SCRIPT", "FLUSH");
            List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
            for (int k = 0; k < edits; k++) {
                for (String ticketId : tickets) {
                    String data = "{\"ticket_id\":\"" + ticketId + "\",\"message\":{\"id\":\"" + java.util.UUID.randomUUID()
                            + "\",\"ticket_id\":\"" + ticketId + "\",\"message\":\"edit " + k + "\"}}";
                    // All in one partition and one produce batch: the gateway gets them in one poll, six tickets' lanes.
                    sent.add(producer.send(new ProducerRecord<>("switchboard.chat-events", 0, ticketId,
                            data.getBytes(StandardCharsets.UTF_8), dev.switchboard.testsupport.TicketFeed.cloudEventHeaders(
                                    "switchboard.chat.message_updated.v1", "/gateway-test", ticketId))));
                }
            }
            producer.flush();
            for (java.util.concurrent.Future<?> f : sent) {
                f.get(10, TimeUnit.SECONDS);
            }
            for (String ticketId : tickets) {
                agent.awaitEvent("message_updated", p -> p.path("ticket_id").asText().equals(ticketId)
                        && p.path("message").path("message").asText().equals("edit " + (edits - 1)));
                List<String> texts = agent.events("message_updated").stream()
                        .filter(p -> p.path("ticket_id").asText().equals(ticketId))
                        .map(p -> p.path("message").path("message").asText()).toList();
                assertThat(texts).as("ticket %s", ticketId).containsExactly("edit 0", "edit 1", "edit 2", "edit 3", "edit 4");
            }
        }
    }

    /**
     * A busy single room: a poll of many events of one ticket (one aggregate) goes to Redis as one
     * pipelined batch, and the room gets them all, in the order they were produced.
     */
    @Test
    void manyEventsOfOneTicketInOnePollReachItsRoomInOrder() throws Exception {
        String customerToken = TestJwt.customer(Users.id("cust"));
        String ticketId = Api.createTicket(customerToken, "One busy room", List.of());
        int edits = 40;
        try (WsClient agent = Users.connect(Cluster.gateway2(), TestJwt.agent(Users.id("agent")), "agent");
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.PROFILE.kafkaBootstrap(),
                        ProducerConfig.LINGER_MS_CONFIG, 50), new StringSerializer(), new ByteArraySerializer())) {
            Users.join(agent, ticketId);
            long kafkaHops = Cluster.metricSum(KAFKA_HOP);
            long publishHops = Cluster.metricSum(PUBLISH_HOP);
            long deliveryHops = Cluster.metricSum(DELIVERY_HOP);
            List<String> expected = new java.util.ArrayList<>();
            for (int k = 0; k < edits; k++) {
                expected.add("edit " + k);
            }
            produceEdits(producer, ticketId, 0, edits);
            agent.awaitEvent("message_updated", p -> p.path("message").path("message").asText().equals("edit " + (edits - 1)));
            List<com.fasterxml.jackson.databind.JsonNode> got = agent.events("message_updated").stream()
                    .filter(p -> p.path("ticket_id").asText().equals(ticketId)).toList();
            assertThat(got.stream().map(p -> p.path("message").path("message").asText()).toList())
                    .containsExactlyElementsOf(expected);
            List<Long> seqs = got.stream().map(p -> p.path("seq").asLong()).toList();
            for (int i = 1; i < seqs.size(); i++) {
                assertThat(seqs.get(i)).as("seq after %s", seqs.get(i - 1)).isEqualTo(seqs.get(i - 1) + 1);
            }
            // Each event was timed on its way: the Kafka hop per record, the Redis publish per poll, the delivery per event
            // on the agent's gateway (whichever instance consumed them).
            assertThat(Cluster.metricSum(KAFKA_HOP) - kafkaHops).isGreaterThanOrEqualTo(edits);
            assertThat(Cluster.metricSum(PUBLISH_HOP) - publishHops).isPositive();
            assertThat(Cluster.metricSum(DELIVERY_HOP) - deliveryHops).isGreaterThanOrEqualTo(edits);
        }
    }

    /**
     * Polls one after the other, each written to Redis before the answer to the one before (the publish pipeline),
     * keep one ticket's events in order, also when Redis drops the gateways' connections while batches are in
     * flight. Redis holds the writes (CLIENT PAUSE WRITE) while the second half of the events is consumed and
     * written, then drops every normal connection (CLIENT KILL; the pub/sub ones stay): those batches fail, are
     * published again record by record before any later one, and the rest go on a new connection. The room gets
     * every event once, in the order produced, with consecutive seqs. (Publishing the failed batches again side by
     * side, each as soon as it fails, reorders the events, and this test fails.)
     */
    @Test
    void pollsPipelinedToRedisKeepTheirOrderAlsoWhenRedisDropsTheConnectionsMidway() throws Exception {
        String customerToken = TestJwt.customer(Users.id("cust"));
        String ticketId = Api.createTicket(customerToken, "Pipelined polls", List.of());
        int edits = 300;
        try (WsClient agent = Users.connect(Cluster.gateway1(), TestJwt.agent(Users.id("agent")), "agent");
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.PROFILE.kafkaBootstrap(),
                        ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer())) {
            Users.join(agent, ticketId);
            List<String> expected = new java.util.ArrayList<>();
            for (int k = 0; k < edits; k++) {
                expected.add("edit " + k);
            }
            produceEdits(producer, ticketId, 0, edits / 2);
            agent.awaitEvent("message_updated", p -> p.path("message").path("message").asText().equals("edit " + (edits / 2 - 1)));
            long consumed = Cluster.eventsConsumed();
            dev.switchboard.testsupport.TestRedis.call("CLIENT", "PAUSE", "10000", "WRITE");
            try {
                // No linger: the records trickle in, a few per poll, and their batches wait in Redis, unanswered.
                produceEdits(producer, ticketId, edits / 2, edits);
                org.awaitility.Awaitility.await("the gateway took records of the second half").atMost(WsClient.TIMEOUT)
                        .until(() -> Cluster.eventsConsumed() > consumed);
                String killed = dev.switchboard.testsupport.TestRedis.call("CLIENT", "KILL", "TYPE", "normal");
                assertThat(killed).as("connections Redis dropped").isNotEqualTo(":0");
            } finally {
                dev.switchboard.testsupport.TestRedis.call("CLIENT", "UNPAUSE");
            }
            agent.awaitFrame(f -> "message_updated".equals(f.path("type").asText())
                    && f.path("payload").path("message").path("message").asText().equals("edit " + (edits - 1)),
                    Duration.ofSeconds(60));
            List<JsonNode> got = agent.events("message_updated").stream()
                    .filter(p -> p.path("ticket_id").asText().equals(ticketId)).toList();
            assertThat(got.stream().map(p -> p.path("message").path("message").asText()).toList())
                    .containsExactlyElementsOf(expected);
            List<Long> seqs = got.stream().map(p -> p.path("seq").asLong()).toList();
            for (int i = 1; i < seqs.size(); i++) {
                assertThat(seqs.get(i)).as("seq after %s", seqs.get(i - 1)).isEqualTo(seqs.get(i - 1) + 1);
            }
        }
    }

    /** {@code message_updated} events "edit from" .. "edit (to - 1)" of one ticket, each its own record, all acknowledged. */
    private static void produceEdits(KafkaProducer<String, byte[]> producer, String ticketId, int from, int to)
            throws Exception {
        List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
        for (int k = from; k < to; k++) {
            String data = "{\"ticket_id\":\"" + ticketId + "\",\"message\":{\"id\":\"" + java.util.UUID.randomUUID()
                    + "\",\"ticket_id\":\"" + ticketId + "\",\"message\":\"edit " + k + "\"}}";
            sent.add(producer.send(new ProducerRecord<>("switchboard.chat-events", null, ticketId,
                    data.getBytes(StandardCharsets.UTF_8), dev.switchboard.testsupport.TicketFeed.cloudEventHeaders(
                            "switchboard.chat.message_updated.v1", "/gateway-test", ticketId))));
        }
        producer.flush();
        for (java.util.concurrent.Future<?> f : sent) {
            f.get(10, TimeUnit.SECONDS);
        }
    }

    private static final String KAFKA_HOP = "switchboard_gateway_hop_kafka_seconds_count";
    private static final String PUBLISH_HOP = "switchboard_gateway_hop_publish_seconds_count";
    private static final String DELIVERY_HOP = "switchboard_gateway_hop_delivery_seconds_count";
}
