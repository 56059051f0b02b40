package dev.switchboard.messaging.outbox;

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
    static final String INSERT = """
            with aggregate_lock as (
                select pg_advisory_xact_lock(hashtextextended(cast($1 as text) || '/' || cast($2 as text), 0)))
            insert into switchboard_outbox
                (aggregate_type, aggregate_id, topic, ce_id, ce_type, ce_source, ce_subject, ce_time, payload)
            select cast($1 as text), cast($2 as text), cast($3 as text), cast($4 as text), cast($5 as text),
                   cast($6 as text), cast($7 as text), cast($8 as timestamptz), cast(cast($9 as text) as json)
            from aggregate_lock""";

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

    /** Appends the event through a connection the caller holds a transaction on. */
    public static Uni<Void> append(SqlClient transaction, String topic, String aggregateType, String aggregateId,
            CloudEvent event) {
        return transaction.preparedQuery(INSERT)
                .execute(Tuple.from(values(topic, aggregateType, aggregateId, event)))
                .replaceWithVoid();
    }

    private static Object[] values(String topic, String aggregateType, String aggregateId, CloudEvent event) {
        return new Object[] {aggregateType, aggregateId, topic, event.id(), event.type(), event.source(),
                event.subject(), event.time(), event.data()};
    }
}
