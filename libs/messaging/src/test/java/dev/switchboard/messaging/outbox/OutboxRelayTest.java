package dev.switchboard.messaging.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.switchboard.localstack.KafkaBroker;
import dev.switchboard.localstack.StackProfile;
import dev.switchboard.messaging.cloudevents.CloudEvent;
import dev.switchboard.testsupport.KafkaTopicReader;
import dev.switchboard.testsupport.LocalStackExtension;
import dev.switchboard.testsupport.TestStack;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;

/** The outbox relay against real PostgreSQL and real Kafka brokers. */
@ExtendWith(LocalStackExtension.class)
class OutboxRelayTest {
    private static final String DATABASE = "messaging_test";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final StackProfile STACK = TestStack.PROFILE;

    private static Vertx vertx;
    private static Pool pool;
    private final List<OutboxRelay> relays = new ArrayList<>();
    private String topic;

    @BeforeAll
    static void database() throws Exception {
        try (Connection c = DriverManager.getConnection(STACK.jdbcUrl("postgres"), StackProfile.DB_USER, "");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select 1 from pg_database where datname = '" + DATABASE + "'")) {
            if (!rs.next()) {
                st.execute("create database " + DATABASE);
            }
        }
        Flyway.configure().dataSource(STACK.jdbcUrl(DATABASE), StackProfile.DB_USER, "")
                .locations("classpath:db/messaging").load().migrate();
        vertx = Vertx.vertx();
        pool = PgBuilder.pool()
                .connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(STACK.postgresPort)
                        .setDatabase(DATABASE).setUser(StackProfile.DB_USER))
                .with(new PoolOptions().setMaxSize(8))
                .using(vertx)
                .build();
    }

    @AfterAll
    static void closePool() {
        pool.closeAndAwait();
        vertx.closeAndAwait();
    }

    @BeforeEach
    void emptyOutboxAndNewTopic() {
        pool.query("delete from switchboard_outbox").execute().await().atMost(TIMEOUT);
        pool.query("delete from switchboard_outbox_failed").execute().await().atMost(TIMEOUT);
        topic = "outbox-test-" + UUID.randomUUID();
        createTopic(STACK.kafkaBootstrap(), topic);
    }

    @AfterEach
    void stopRelays() {
        relays.forEach(OutboxRelay::close);
    }

    @Test
    void rowOfRolledBackTransactionIsNeverPublished() {
        try (KafkaTopicReader reader = new KafkaTopicReader(STACK.kafkaBootstrap(), topic)) {
            CloudEvent rolledBack = event("ticket-1", 1);
            Uni<Void> failing = pool.withTransaction(tx -> OutboxWriter.append(tx, topic, "ticket", "ticket-1", rolledBack)
                    .chain(() -> Uni.createFrom().failure(new IllegalStateException("change failed"))));
            failing.onFailure().recoverWithNull().await().atMost(TIMEOUT);
            CloudEvent committed = event("ticket-1", 2);
            write("ticket-1", committed);

            startRelay(STACK.kafkaBootstrap(), 100);

            List<ConsumerRecord<String, byte[]>> records = reader.awaitRecords(TIMEOUT,
                    all -> ids(all).contains(committed.id()));
            assertThat(ids(records)).containsExactly(committed.id());
            assertThat(outboxRows()).isZero();
        }
    }

    @Test
    void publishedRecordIsABinaryModeCloudEventKeyedByAggregate() {
        try (KafkaTopicReader reader = new KafkaTopicReader(STACK.kafkaBootstrap(), topic)) {
            CloudEvent event = event("ticket-42", 7);
            write("ticket-42", event);
            startRelay(STACK.kafkaBootstrap(), 100);

            ConsumerRecord<String, byte[]> record = reader.awaitRecords(TIMEOUT, all -> !all.isEmpty()).get(0);
            assertThat(record.key()).isEqualTo("ticket-42");
            CloudEvent read = CloudEvent.fromKafka(record.headers(), record.value());
            assertThat(read.id()).isEqualTo(event.id());
            assertThat(read.type()).isEqualTo("switchboard.test.happened.v1");
            assertThat(read.source()).isEqualTo("/outbox-test");
            assertThat(read.subject()).isEqualTo("ticket-42");
            assertThat(read.time().toInstant()).isEqualTo(event.time().toInstant());
            assertThat(CloudEvent.header(record.headers(), CloudEvent.HEADER_SPEC_VERSION)).isEqualTo("1.0");
            assertThat(CloudEvent.header(record.headers(), CloudEvent.HEADER_CONTENT_TYPE)).isEqualTo("application/json");
            assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo(event.data());
        }
    }

    @Test
    void rowsCommittedWhileKafkaIsDownArePublishedInOrderOnceItIsBack() {
        Path home = Paths.get("target", "outbox-kafka-" + UUID.randomUUID()).toAbsolutePath();
        KafkaBroker broker = new KafkaBroker(STACK.kafkaPort + 100, STACK.kafkaControllerPort + 100, home);
        try {
            broker.start();
            broker.awaitReady(Instant.now().plus(TIMEOUT));
            createTopic(broker.bootstrapServers(), topic);
            try (KafkaTopicReader reader = new KafkaTopicReader(broker.bootstrapServers(), topic)) {
                OutboxRelay relay = startRelay(broker.bootstrapServers(), 20);
                CloudEvent first = event("ticket-0", 0);
                write("ticket-0", first);
                reader.awaitRecords(TIMEOUT, all -> ids(all).contains(first.id()));

                broker.stop();
                assertThat(portOpen(STACK.kafkaPort + 100)).as("broker port open after stop").isFalse();
                Map<String, List<String>> expected = new LinkedHashMap<>();
                for (int seq = 1; seq <= 10; seq++) {
                    for (int t = 1; t <= 5; t++) {
                        CloudEvent e = event("ticket-" + t, seq);
                        write("ticket-" + t, e);
                        expected.computeIfAbsent("ticket-" + t, k -> new ArrayList<>()).add(e.id());
                    }
                }
                Awaitility.await().atMost(TIMEOUT)
                        .alias("relay fails while Kafka is down (published " + relay.published() + ")")
                        .until(() -> !relay.healthy());
                assertThat(outboxRows()).isEqualTo(50);

                broker.start();
                broker.awaitReady(Instant.now().plus(TIMEOUT));

                Set<String> wanted = expected.values().stream().flatMap(List::stream).collect(Collectors.toSet());
                List<ConsumerRecord<String, byte[]>> records;
                try {
                    records = reader.awaitRecords(TIMEOUT, all -> ids(all).containsAll(wanted));
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("not all rows arrived: received " + reader.poll().size()
                            + " records, outbox rows left " + outboxRows() + ", relay healthy " + relay.healthy()
                            + ", published " + relay.published() + ", last error " + relay.lastError(), e);
                }
                Map<String, List<String>> received = firstSeenOrderPerKey(records);
                expected.forEach((key, ids) -> assertThat(received.get(key)).containsExactlyElementsOf(ids));
                Awaitility.await().atMost(TIMEOUT).until(() -> outboxRows() == 0);
            }
        } finally {
            broker.stop();
        }
    }

    @Test
    void aRowKafkaRefusesForGoodIsParkedAndTheRowsBehindItStillGo() {
        try (KafkaTopicReader reader = new KafkaTopicReader(STACK.kafkaBootstrap(), topic)) {
            CloudEvent tooLarge = CloudEvent.create("switchboard.test.happened.v1", "/outbox-test", "ticket-9",
                    "{\"blob\":\"" + "x".repeat(1_200_000) + "\"}");
            write("ticket-9", tooLarge);
            CloudEvent next = event("ticket-9", 2);
            write("ticket-9", next);
            startRelay(STACK.kafkaBootstrap(), 100);

            List<ConsumerRecord<String, byte[]>> records = reader.awaitRecords(TIMEOUT, all -> ids(all).contains(next.id()));
            assertThat(ids(records)).containsExactly(next.id());
            var parked = pool.query("select ce_id, error from switchboard_outbox_failed").execute().await().atMost(TIMEOUT);
            assertThat(parked).hasSize(1);
            assertThat(parked.iterator().next().getString("ce_id")).isEqualTo(tooLarge.id());
            assertThat(parked.iterator().next().getString("error")).contains("RecordTooLarge");
            assertThat(outboxRows()).isZero();
        }
    }

    @Test
    void twoRelaysRunningAtOncePublishEachRowOnce() {
        try (KafkaTopicReader reader = new KafkaTopicReader(STACK.kafkaBootstrap(), topic)) {
            OutboxRelay one = startRelay(STACK.kafkaBootstrap(), 25);
            OutboxRelay two = startRelay(STACK.kafkaBootstrap(), 25);
            Map<String, List<String>> expected = new LinkedHashMap<>();
            for (int seq = 1; seq <= 20; seq++) {
                for (int t = 1; t <= 20; t++) {
                    CloudEvent e = event("ticket-" + t, seq);
                    write("ticket-" + t, e);
                    expected.computeIfAbsent("ticket-" + t, k -> new ArrayList<>()).add(e.id());
                }
            }
            Awaitility.await().atMost(TIMEOUT).until(() -> outboxRows() == 0 && one.published() + two.published() == 400);
            List<ConsumerRecord<String, byte[]>> records = reader.awaitRecords(TIMEOUT, all -> all.size() >= 400);

            assertThat(records).hasSize(400);
            assertThat(ids(records)).doesNotHaveDuplicates();
            Map<String, List<String>> received = firstSeenOrderPerKey(records);
            expected.forEach((key, ids) -> assertThat(received.get(key)).containsExactlyElementsOf(ids));
        }
    }

    @Test
    void aRelayThatLosesTheElectionWhileRowsWaitTriesAgainSoonNotAtItsPollInterval() throws Exception {
        try (KafkaTopicReader reader = new KafkaTopicReader(STACK.kafkaBootstrap(), topic);
                Connection otherRelay = DriverManager.getConnection(STACK.jdbcUrl(DATABASE), StackProfile.DB_USER, "")) {
            // Another relay in the middle of a pass: it holds the relay lock, and it was never told of this row.
            otherRelay.setAutoCommit(false);
            try (Statement st = otherRelay.createStatement()) {
                st.execute("select pg_advisory_xact_lock(" + OutboxRelay.RELAY_LOCK + ")");
            }
            CloudEvent event = event("ticket-5", 1);
            write("ticket-5", event);
            OutboxRelay relay = startRelay(STACK.kafkaBootstrap(), 100, Duration.ofHours(1));
            Awaitility.await().atMost(TIMEOUT).until(() -> relay.lostElections() >= 1);

            otherRelay.commit();

            // Well before the hour: only a retry after the lost election can publish it.
            List<ConsumerRecord<String, byte[]>> records = reader.awaitRecords(TIMEOUT,
                    all -> ids(all).contains(event.id()));
            assertThat(ids(records)).containsExactly(event.id());
            Awaitility.await().atMost(TIMEOUT).until(() -> outboxRows() == 0);
        }
    }

    @Test
    void aStatementMarkedLocalDoesNotNotifyAndItsWriterWakesTheRelayInProcess() throws Exception {
        try (KafkaTopicReader reader = new KafkaTopicReader(STACK.kafkaBootstrap(), topic);
                Connection listener = DriverManager.getConnection(STACK.jdbcUrl(DATABASE), StackProfile.DB_USER, "")) {
            try (Statement st = listener.createStatement()) {
                st.execute("listen " + OutboxRelayLifecycle.CHANNEL);
            }
            OutboxWake wake = new OutboxWake();
            OutboxRelay relay = startRelay(STACK.kafkaBootstrap(), 100, Duration.ofHours(1));
            wake.attach(relay);
            // The relay's first pass is over, and it will not look again for an hour unless woken.
            Awaitility.await().atMost(TIMEOUT).pollDelay(Duration.ZERO).until(() -> relay.passes() >= 1);

            assertThat(wake.mode()).isEqualTo(OutboxWake.LOCAL);
            CloudEvent local = event("ticket-6", 1);
            writeMarked("ticket-6", local, OutboxWake.LOCAL);
            wake.committed(OutboxWake.LOCAL);
            List<ConsumerRecord<String, byte[]>> records = reader.awaitRecords(TIMEOUT,
                    all -> ids(all).contains(local.id()));
            assertThat(ids(records)).containsExactly(local.id());

            // A statement marked "notify" (what a process without a relay writes) notifies as every other
            // write does. Notifications arrive in commit order, so once its one is here, the local one's
            // would have been too.
            CloudEvent notified = event("ticket-6", 2);
            writeMarked("ticket-6", notified, OutboxWake.NOTIFY);
            org.postgresql.PGConnection pg = listener.unwrap(org.postgresql.PGConnection.class);
            List<org.postgresql.PGNotification> received = new ArrayList<>();
            Awaitility.await().atMost(TIMEOUT).pollDelay(Duration.ZERO).until(() -> {
                org.postgresql.PGNotification[] got = pg.getNotifications(50);
                if (got != null) {
                    received.addAll(List.of(got));
                }
                return !received.isEmpty();
            });
            assertThat(received).hasSize(1);
        }
    }

    @Test
    void theRelayKeepsItsConnectionAndTakesANewOneWhenPostgresqlDropsIt() throws Exception {
        try (KafkaTopicReader reader = new KafkaTopicReader(STACK.kafkaBootstrap(), topic);
                Connection admin = DriverManager.getConnection(STACK.jdbcUrl(DATABASE), StackProfile.DB_USER, "");
                Statement st = admin.createStatement()) {
            OutboxRelay relay = startRelay(STACK.kafkaBootstrap(), 100);
            CloudEvent first = event("ticket-7", 1);
            write("ticket-7", first);
            reader.awaitRecords(TIMEOUT, all -> ids(all).contains(first.id()));

            // Every other session of the database ends, the relay's with them (as when PostgreSQL restarts).
            st.execute("select pg_terminate_backend(pid) from pg_stat_activity"
                    + " where datname = current_database() and pid <> pg_backend_pid()");
            CloudEvent second = event("ticket-7", 2);
            Awaitility.await().atMost(TIMEOUT).pollDelay(Duration.ZERO).ignoreExceptions().until(() -> {
                write("ticket-7", second);
                return true;
            });
            List<ConsumerRecord<String, byte[]>> records = reader.awaitRecords(TIMEOUT,
                    all -> ids(all).contains(second.id()));
            assertThat(ids(records)).containsExactly(first.id(), second.id());
            Awaitility.await().atMost(TIMEOUT).until(() -> outboxRows() == 0 && relay.healthy());
        }
    }

    /** Like the chat send: a statement that makes its change and appends the event, marked for the wake-up. */
    private void writeMarked(String aggregateId, CloudEvent event, String wakeMode) {
        String sql = "with source as (select 1 as one),\n" + OutboxWriter.appendAfter("source", 1)
                + "\nselect (select count(*) from outbox) as appended";
        var rows = pool.preparedQuery(sql)
                .execute(io.vertx.mutiny.sqlclient.Tuple.from(OutboxWriter.parameters(topic, "ticket", aggregateId, event,
                        wakeMode)))
                .await().atMost(TIMEOUT);
        assertThat(rows.iterator().next().getLong("appended")).isEqualTo(1);
    }

    private OutboxRelay startRelay(String bootstrap, int batchSize) {
        return startRelay(bootstrap, batchSize, Duration.ofMillis(50));
    }

    private OutboxRelay startRelay(String bootstrap, int batchSize, Duration pollInterval) {
        Map<String, Object> kafka = new HashMap<>();
        kafka.put("bootstrap.servers", bootstrap);
        OutboxRelay relay = new OutboxRelay(pool, kafka,
                new OutboxRelay.Settings(batchSize, pollInterval, Duration.ofSeconds(3), Duration.ofMillis(500)));
        relays.add(relay);
        relay.start();
        return relay;
    }

    private void write(String aggregateId, CloudEvent event) {
        pool.withTransaction(tx -> OutboxWriter.append(tx, topic, "ticket", aggregateId, event))
                .await().atMost(TIMEOUT);
    }

    private static CloudEvent event(String aggregateId, int seq) {
        return CloudEvent.create("switchboard.test.happened.v1", "/outbox-test", aggregateId,
                "{\"aggregate\":\"" + aggregateId + "\",\"seq\":" + seq + "}");
    }

    private long outboxRows() {
        return pool.query("select count(*) from switchboard_outbox").execute().await().atMost(TIMEOUT)
                .iterator().next().getLong(0);
    }

    private static List<String> ids(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(r -> CloudEvent.header(r.headers(), CloudEvent.HEADER_ID)).toList();
    }

    /** Per key, the ids in the order first received: what a consumer that drops duplicates by id sees. */
    private static Map<String, List<String>> firstSeenOrderPerKey(List<ConsumerRecord<String, byte[]>> records) {
        Map<String, List<String>> perKey = new HashMap<>();
        Set<String> seen = new java.util.HashSet<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            String id = CloudEvent.header(r.headers(), CloudEvent.HEADER_ID);
            if (seen.add(id)) {
                perKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(id);
            }
        }
        return perKey;
    }

    private static boolean portOpen(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static void createTopic(String bootstrap, String name) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(name, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not create topic " + name, e);
        }
    }
}
