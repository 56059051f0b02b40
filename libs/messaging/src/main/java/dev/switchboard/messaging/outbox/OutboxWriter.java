package dev.switchboard.messaging.outbox;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import dev.switchboard.messaging.cloudevents.CloudEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Writes an event into the outbox inside the caller's transaction, so the event exists exactly when
 * the change it describes was committed.
 *
 * <p>The insert first takes a transaction-scoped advisory lock on the aggregate: two transactions
 * that write events of the same aggregate then insert (and so number) their rows in commit order,
 * which is the order the relay publishes them in.
 */
@ApplicationScoped
public class OutboxWriter {
    /**
     * The transaction-scoped lock on the aggregate whose type and id the two SQL expressions give: every
     * way of appending takes this one, so events of one aggregate are numbered in commit order whichever
     * way they were written.
     */
    private static String aggregateLock(String type, String id) {
        return "pg_advisory_xact_lock(hashtextextended(cast(" + type + " as text) || '/' || cast(" + id + " as text), 0))";
    }

    static final String INSERT = """
            with aggregate_lock as (
                select %s)
            insert into switchboard_outbox
                (aggregate_type, aggregate_id, topic, ce_id, ce_type, ce_source, ce_subject, ce_time, payload)
            select cast($1 as text), cast($2 as text), cast($3 as text), cast($4 as text), cast($5 as text),
                   cast($6 as text), cast($7 as text), cast($8 as timestamptz), cast(cast($9 as text) as json)
            from aggregate_lock""".formatted(aggregateLock("$1", "$2"));

    private static final String INSERT_HIBERNATE = Pattern.compile("\\$(\\d)").matcher(INSERT).replaceAll("?$1");

    /**
     * Appends the event in the current Hibernate Reactive transaction (a {@code @WithTransaction}
     * method of the calling service).
     */
    public Uni<Void> append(String topic, String aggregateType, String aggregateId, CloudEvent event) {
        return Panache.getSession().chain(session -> {
            var query = session.createNativeQuery(INSERT_HIBERNATE);
            Object[] values = values(topic, aggregateType, aggregateId, event);
            for (int i = 0; i < values.length; i++) {
                query.setParameter(i + 1, values[i]);
            }
            return query.executeUpdate();
        }).replaceWithVoid();
    }

    /** An event to append with {@link #appendAll}. */
    public record Pending(String topic, String aggregateType, String aggregateId, CloudEvent event) {
    }

    /**
     * Appends several events in one statement, in the list's order, in the current Hibernate Reactive
     * transaction: as {@link #append} each, in one round trip. Each aggregate's lock is taken first, in
     * the order of the aggregates' keys, so two such statements never wait on each other in a circle.
     */
    public Uni<Void> appendAll(List<Pending> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        if (events.size() == 1) {
            Pending e = events.get(0);
            return append(e.topic(), e.aggregateType(), e.aggregateId(), e.event());
        }
        return Panache.getSession().chain(session -> {
            var query = session.createNativeQuery(insertAll(events.size()));
            int p = 1;
            for (Pending e : events) {
                for (Object value : values(e.topic(), e.aggregateType(), e.aggregateId(), e.event())) {
                    query.setParameter(p++, value);
                }
            }
            return query.executeUpdate();
        }).replaceWithVoid();
    }

    /** {@link #appendAll}'s statement for {@code rows} events: their values from {@code ?1} on, nine per event. */
    static String insertAll(int rows) {
        StringBuilder values = new StringBuilder();
        for (int r = 0; r < rows; r++) {
            int p = r * 9;
            values.append(r == 0 ? "" : ",\n").append("""
                    (%d, cast(?%d as text), cast(?%d as text), cast(?%d as text), cast(?%d as text), cast(?%d as text), \
                    cast(?%d as text), cast(?%d as text), cast(?%d as timestamptz), cast(?%d as text))""".formatted(
                    r, p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7, p + 8, p + 9));
        }
        return """
                with event (ord, aggregate_type, aggregate_id, topic, ce_id, ce_type, ce_source, ce_subject, ce_time,
                        payload) as (values
                %s),
                aggregate_lock as (
                    select count(*) as locked from (
                        select %s
                        from (select distinct aggregate_type, aggregate_id from event order by 1, 2) a) l)
                insert into switchboard_outbox
                    (aggregate_type, aggregate_id, topic, ce_id, ce_type, ce_source, ce_subject, ce_time, payload)
                select e.aggregate_type, e.aggregate_id, e.topic, e.ce_id, e.ce_type, e.ce_source, e.ce_subject,
                       e.ce_time, cast(e.payload as json)
                from event e, aggregate_lock
                order by e.ord""".formatted(values, aggregateLock("a.aggregate_type", "a.aggregate_id"));
    }

    /** Appends the event through a connection the caller holds a transaction on. */
    public static Uni<Void> append(SqlClient transaction, String topic, String aggregateType, String aggregateId,
            CloudEvent event) {
        return transaction.preparedQuery(INSERT)
                .execute(Tuple.from(values(topic, aggregateType, aggregateId, event)))
                .replaceWithVoid();
    }

    /**
     * Two common table expressions for a statement that makes a change and appends its event at once,
     * in one round trip and the statement's own transaction: {@code outbox_lock} takes the aggregate's
     * lock (as {@link #INSERT} does) once per row of the CTE {@code source}, and {@code outbox} inserts the
     * event after it, so no row of {@code source} means no event. The event's nine values and the wake-up
     * mark ({@link OutboxWake#mode()}) are the ten parameters from {@code $first} on, in the order
     * {@link #parameters} gives them. With the mark {@link OutboxWake#LOCAL} the outbox's trigger does not
     * notify, and the caller wakes the relay with {@link OutboxWake#committed} once the statement has returned.
     */
    public static String appendAfter(String source, int first) {
        String[] p = new String[10];
        for (int i = 0; i < 10; i++) {
            p[i] = "$" + (first + i);
        }
        return """
                outbox_lock as (
                    select %11$s, set_config('switchboard.outbox_wake', cast(%12$s as text), true)
                    from %10$s),
                outbox as (
                    insert into switchboard_outbox
                        (aggregate_type, aggregate_id, topic, ce_id, ce_type, ce_source, ce_subject, ce_time, payload)
                    select cast(%1$s as text), cast(%2$s as text), cast(%3$s as text), cast(%4$s as text),
                           cast(%5$s as text), cast(%6$s as text), cast(%7$s as text), cast(%8$s as timestamptz),
                           cast(cast(%9$s as text) as json)
                    from outbox_lock
                    returning id)""".formatted(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], source,
                aggregateLock(p[0], p[1]), p[9]);
    }

    /** The event's values and the wake-up mark for {@link #appendAfter}, in parameter order. */
    public static Object[] parameters(String topic, String aggregateType, String aggregateId, CloudEvent event,
            String wakeMode) {
        Object[] event9 = values(topic, aggregateType, aggregateId, event);
        Object[] all = Arrays.copyOf(event9, 10);
        all[9] = wakeMode;
        return all;
    }

    private static Object[] values(String topic, String aggregateType, String aggregateId, CloudEvent event) {
        return new Object[] {aggregateType, aggregateId, topic, event.id(), event.type(), event.source(),
                event.subject(), event.time(), event.data()};
    }
}
