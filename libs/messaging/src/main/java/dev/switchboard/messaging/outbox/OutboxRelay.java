package dev.switchboard.messaging.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import dev.switchboard.messaging.cloudevents.CloudEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Publishes committed outbox rows to Kafka, after the pattern of centrifugo's pgoutbox.
 *
 * <p>Each pass is one transaction: take a transaction-scoped advisory lock (so only one relay of a
 * database works at a time, whatever the number of instances), read the oldest rows in id order,
 * send them with an idempotent {@code acks=all} producer, wait for the acknowledgements and delete
 * the rows that were acknowledged, up to the first that was not. A row is deleted only after Kafka
 * has it, so nothing is lost; one that is sent again after a failure keeps its CloudEvent id, and
 * consumers drop the duplicate. Rows of one aggregate share a partition key, so they stay in order.
 * After a pass that failed, the producer is closed at once and replaced: the idempotent producer
 * keeps order across its own retries, but once a batch has expired it may still deliver later
 * batches of the same partition, which would put them ahead of the expired row when it is re-sent.
 *
 * <p>A relay that loses the election while rows are waiting tries again after {@link #LOST_ELECTION_RETRY}
 * rather than the poll interval: the rows may be ones its own process wrote and woke it for in-process
 * ({@link OutboxWake}), of which the relay holding the lock has not been told.
 *
 * <p>The relay runs on a thread of its own and blocks there; it never holds an event loop.
 */
public final class OutboxRelay implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** The advisory lock key that elects the working relay ("SBOUTBOX"). */
    static final long RELAY_LOCK = 0x5342_4f55_5442_4f58L;
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(10);
    /** How soon a relay that lost the election while rows were waiting tries again. */
    static final Duration LOST_ELECTION_RETRY = Duration.ofMillis(5);
    private static final String SELECT_BATCH = """
            select id, aggregate_id, topic, ce_id, ce_type, ce_source, ce_subject, ce_time, payload::text as payload
            from switchboard_outbox order by id limit $1""";

    /** How the relay paces itself; see {@link OutboxConfig.Relay}. */
    public record Settings(int batchSize, Duration pollInterval, Duration deliveryTimeout, Duration maxBackoff) {
        public static Settings of(OutboxConfig.Relay config) {
            return new Settings(config.batchSize(), config.pollInterval(), config.deliveryTimeout(),
                    config.maxBackoff());
        }
    }

    private final Pool pool;
    private final Map<String, Object> producerConfig;
    private KafkaProducer<String, byte[]> producer;
    private final Settings settings;
    private final Semaphore wakeup = new Semaphore(0);
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong lostElections = new AtomicLong();
    private final AtomicLong passes = new AtomicLong();
    /** Set by a pass that lost the election while rows were waiting. */
    private volatile boolean rowsLeftToOthers;
    private volatile boolean running;
    private volatile boolean healthy = true;
    private volatile String lastError;
    private Thread thread;
    /** Taken and used by the relay's thread; forgotten when PostgreSQL closes it; see {@link #connection()}. */
    private volatile SqlConnection connection;

    public OutboxRelay(Pool pool, Map<String, Object> kafkaConfig, Settings settings) {
        this.pool = pool;
        this.settings = settings;
        this.producerConfig = producerConfig(kafkaConfig, settings);
        this.producer = newProducer();
    }

    private KafkaProducer<String, byte[]> newProducer() {
        return new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer());
    }

    /** Drops every record still pending in the producer, so none of them can arrive after a re-send. */
    private synchronized void replaceProducer() {
        producer.close(Duration.ZERO);
        producer = newProducer();
    }

    static Map<String, Object> producerConfig(Map<String, Object> kafkaConfig, Settings settings) {
        Map<String, Object> config = new HashMap<>();
        kafkaConfig.forEach((key, value) -> {
            if (ProducerConfig.configNames().contains(key)) {
                config.put(key, value);
            }
        });
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        // 0 (no lingering) was tried on 5 Dec: a pass then ends about a millisecond sooner, so there are more
        // passes, each with its own produce request, select and delete; at 500 msg/s Kafka, PostgreSQL and
        // chat-service cost more per message in both of two runs (BENCHMARKS.md).
        config.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        int deliveryMs = (int) settings.deliveryTimeout().toMillis();
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(deliveryMs, 10_000));
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(deliveryMs, Math.min(deliveryMs, 10_000) + 1));
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.min(deliveryMs, 10_000));
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "switchboard-outbox-relay");
        return config;
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    /** Asks for a pass now, e.g. when PostgreSQL notifies that outbox rows were committed. */
    public void wakeUp() {
        wakeup.release();
    }

    /** Rows published by this relay since it was made. */
    public long published() {
        return published.get();
    }

    /** Passes finished (whatever their outcome). */
    long passes() {
        return passes.get();
    }

    /** Passes that found another relay holding the lock. */
    long lostElections() {
        return lostElections.get();
    }

    /** False while the last pass failed (Kafka or PostgreSQL unavailable). */
    public boolean healthy() {
        return healthy;
    }

    /** Why the last failed pass failed, or null. */
    public String lastError() {
        return lastError;
    }

    private void loop() {
        Duration backoff = settings.pollInterval();
        while (running) {
            try {
                int count = relayBatch();
                if (!healthy) {
                    LOG.info("outbox relay: publishing again");
                }
                healthy = true;
                backoff = settings.pollInterval();
                if (rowsLeftToOthers) {
                    wakeup.tryAcquire(LOST_ELECTION_RETRY.toMillis(), TimeUnit.MILLISECONDS);
                    wakeup.drainPermits();
                } else if (count < settings.batchSize()) {
                    wakeup.tryAcquire(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                    wakeup.drainPermits();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                if (!running) {
                    return;
                }
                if (healthy) {
                    LOG.warnf("outbox relay: cannot publish (%s); rows stay in the outbox and are retried", e.getMessage());
                }
                healthy = false;
                lastError = e.toString();
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff()
                        : backoff.multipliedBy(2);
            }
        }
    }

    /**
     * One pass: publishes up to a batch of rows and deletes those Kafka acknowledged.
     *
     * @return the number of rows published; 0 when there were none or another relay holds the lock
     * @throws OutboxRelayException when Kafka did not acknowledge every row read (the rest stay)
     */
    public int relayBatch() {
        rowsLeftToOthers = false;
        try {
            return pass();
        } finally {
            passes.incrementAndGet();
        }
    }

    /**
     * The relay's own connection, kept from pass to pass: taking one from the pool and giving it back
     * cost two hand-overs to the event loop and back for every pass. A pass that fails drops it, as does
     * PostgreSQL closing it; the next pass takes a new one.
     */
    private SqlConnection connection() {
        SqlConnection current = connection;
        if (current == null) {
            // Bounded by the pool's connection timeout; cancelling the wait here could leak the connection.
            SqlConnection fresh = pool.getConnection().await().indefinitely();
            fresh.closeHandler(() -> forget(fresh));
            connection = fresh;
            current = fresh;
        }
        return current;
    }

    private void forget(SqlConnection stale) {
        if (connection == stale) {
            connection = null;
        }
    }

    private void drop(SqlConnection stale) {
        forget(stale);
        stale.close().subscribe().with(ok -> { }, failure -> { });
    }

    private int pass() {
        SqlConnection connection = connection();
        boolean keep = false;
        try {
            // BEGIN, the election and the read go out together, pipelined on the connection: one round trip,
            // not three. A relay that lost the election read rows it does not publish; it rolls back.
            CompletableFuture<Transaction> begun = connection.begin().subscribeAsCompletionStage();
            CompletableFuture<RowSet<Row>> election = connection.query("select pg_try_advisory_xact_lock(" + RELAY_LOCK + ")")
                    .execute().subscribeAsCompletionStage();
            CompletableFuture<RowSet<Row>> read = connection.preparedQuery(SELECT_BATCH)
                    .execute(Tuple.of(settings.batchSize())).subscribeAsCompletionStage();
            Transaction transaction = await(begun);
            try {
                boolean elected = await(election).iterator().next().getBoolean(0);
                RowSet<Row> rows = await(read);
                rowsLeftToOthers = !elected && rows.size() > 0;
                if (!elected) {
                    lostElections.incrementAndGet();
                    transaction.rollback().await().atMost(DB_TIMEOUT);
                    keep = true;
                    return 0;
                }
                List<Long> ids = new ArrayList<>();
                List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
                for (Row row : rows) {
                    ids.add(row.getLong("id"));
                    records.add(toRecord(row));
                }
                Delivery delivery = send(records);
                if (delivery.failure() != null) {
                    replaceProducer();
                }
                List<Long> acknowledged = ids.subList(0, delivery.acknowledged());
                boolean parked = delivery.failure() != null && !isRetriable(delivery.failure());
                // The delete, a parked row's move and the COMMIT go out together too; the COMMIT of a
                // transaction whose delete failed commits nothing, and the failure is thrown below.
                List<CompletableFuture<?>> finish = new ArrayList<>();
                if (!acknowledged.isEmpty()) {
                    finish.add(connection.preparedQuery("delete from switchboard_outbox where id = any($1)")
                            .execute(Tuple.tuple().addArrayOfLong(acknowledged.toArray(Long[]::new)))
                            .subscribeAsCompletionStage());
                }
                if (parked) {
                    finish.add(park(connection, ids.get(acknowledged.size()), delivery.failure()).subscribeAsCompletionStage());
                }
                finish.add(transaction.commit().subscribeAsCompletionStage());
                for (CompletableFuture<?> step : finish) {
                    await(step);
                }
                published.addAndGet(acknowledged.size());
                keep = true;
                if (parked) {
                    return acknowledged.size();
                }
                if (delivery.failure() != null) {
                    throw new OutboxRelayException((ids.size() - acknowledged.size()) + " of " + ids.size()
                            + " rows not acknowledged by Kafka: " + delivery.failure().getMessage(), delivery.failure());
                }
                return acknowledged.size();
            } catch (RuntimeException e) {
                transaction.rollback().onFailure().recoverWithNull().await().atMost(DB_TIMEOUT);
                throw e;
            }
        } finally {
            if (!keep) {
                drop(connection);
            }
        }
    }

    /** Waits for a database step sent ahead; its failure is thrown as it is (unchecked), a wait past DB_TIMEOUT as a timeout. */
    private static <T> T await(CompletableFuture<T> step) {
        try {
            return step.get(DB_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OutboxRelayException("interrupted while waiting for PostgreSQL", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime
                    : new OutboxRelayException("PostgreSQL: " + e.getCause(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new OutboxRelayException("PostgreSQL did not answer within " + DB_TIMEOUT, e);
        }
    }

    private record Delivery(int acknowledged, Exception failure) {
    }

    /** Sends in order and counts how many records, from the first on, Kafka acknowledged. */
    private Delivery send(List<ProducerRecord<String, byte[]>> records) {
        List<Future<RecordMetadata>> pending = new ArrayList<>(records.size());
        Exception failure = null;
        for (ProducerRecord<String, byte[]> record : records) {
            Future<RecordMetadata> sent;
            try {
                sent = producer.send(record);
            } catch (RuntimeException e) {
                failure = e;
                break;
            }
            pending.add(sent);
            // Without metadata, send() blocks for max.block.ms and then returns a failed future:
            // stop at the first one rather than wait that long for every row of the batch.
            if (sent.isDone() && failedAlready(sent)) {
                break;
            }
        }
        long waitMs = settings.deliveryTimeout().toMillis() + 5_000;
        for (int i = 0; i < pending.size(); i++) {
            try {
                pending.get(i).get(waitMs, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Delivery(i, e);
            } catch (ExecutionException e) {
                return new Delivery(i, e.getCause() instanceof Exception cause ? cause : e);
            } catch (java.util.concurrent.TimeoutException e) {
                return new Delivery(i, e);
            }
        }
        return new Delivery(pending.size(), failure);
    }

    /** Kafka will never take this row (too large, not authorised, invalid topic): retrying cannot help. */
    static boolean isRetriable(Exception failure) {
        return failure instanceof org.apache.kafka.common.errors.RetriableException
                || failure instanceof java.util.concurrent.TimeoutException
                || failure instanceof InterruptedException
                || !(failure instanceof org.apache.kafka.common.KafkaException);
    }

    /** Moves a row Kafka refused for good into switchboard_outbox_failed, so the rows behind it can go. */
    private static Uni<RowSet<Row>> park(SqlConnection connection, long id, Exception failure) {
        LOG.errorf("outbox relay: Kafka refused outbox row %d for good (%s); it is kept in switchboard_outbox_failed",
                id, failure.toString());
        return connection.preparedQuery("""
                with moved as (delete from switchboard_outbox where id = $1 returning *)
                insert into switchboard_outbox_failed (id, aggregate_type, aggregate_id, topic, ce_id, ce_type,
                    ce_source, ce_subject, ce_time, payload, created_at, error)
                select id, aggregate_type, aggregate_id, topic, ce_id, ce_type, ce_source, ce_subject, ce_time,
                    payload, created_at, $2 from moved""")
                .execute(Tuple.of(id, failure.toString()));
    }

    private static boolean failedAlready(Future<RecordMetadata> done) {
        try {
            done.get();
            return false;
        } catch (ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private static ProducerRecord<String, byte[]> toRecord(Row row) {
        CloudEvent event = new CloudEvent(row.getString("ce_id"), row.getString("ce_type"),
                row.getString("ce_source"), row.getString("ce_subject"), row.getOffsetDateTime("ce_time"),
                row.getString("payload"));
        return new ProducerRecord<>(row.getString("topic"), null, row.getString("aggregate_id"), event.dataBytes(),
                event.toKafkaHeaders());
    }

    @Override
    public void close() {
        running = false;
        Thread current = thread;
        if (current != null) {
            current.interrupt();
            try {
                current.join(TimeUnit.SECONDS.toMillis(15));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            producer.close(Duration.ofSeconds(5));
        }
        SqlConnection last = connection;
        if (last != null) {
            drop(last); // not waited for: the pool closes with the application anyway
        }
    }
}
