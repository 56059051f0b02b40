package dev.switchboard.messaging.inbox;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * The idempotent-consumer log: which CloudEvent ids a consumer has already applied. Recording the id
 * and applying the event happen in one transaction, so an event redelivered by Kafka (after a crash
 * before the offset commit, say) has its effect exactly once.
 */
@ApplicationScoped
public class ProcessedEvents {
    private static final String INSERT = """
            insert into switchboard_processed_event (consumer, ce_id) values (?1, ?2)
            on conflict do nothing""";

    /**
     * Records {@code ceId} as processed by {@code consumer} in the current transaction.
     *
     * @return true the first time, false when the event was processed before
     */
    public Uni<Boolean> markProcessed(String consumer, String ceId) {
        return Panache.getSession()
                .chain(session -> session.createNativeQuery(INSERT)
                        .setParameter(1, consumer)
                        .setParameter(2, ceId)
                        .executeUpdate())
                .map(inserted -> inserted == 1);
    }

    /**
     * Records a batch of events (one poll's) as processed by {@code consumer} in the current transaction,
     * in one statement rather than one per event.
     *
     * @return the ids recorded now, i.e. not processed before (an id given twice is in it once)
     */
    public Uni<Set<String>> markAllProcessed(String consumer, List<String> ceIds) {
        if (ceIds.isEmpty()) {
            return Uni.createFrom().item(new HashSet<>());
        }
        StringBuilder sql = new StringBuilder("insert into switchboard_processed_event (consumer, ce_id) values ");
        for (int i = 0; i < ceIds.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(?1, ?").append(i + 2).append(')');
        }
        sql.append(" on conflict do nothing returning ce_id");
        return Panache.getSession().chain(session -> {
            var query = session.createNativeQuery(sql.toString(), String.class).setParameter(1, consumer);
            for (int i = 0; i < ceIds.size(); i++) {
                query.setParameter(i + 2, ceIds.get(i));
            }
            return query.getResultList();
        }).map(HashSet::new);
    }

    /**
     * Runs {@code effect} unless the event was processed before; call it inside the consumer's
     * {@code @WithTransaction} so that the mark and the effect commit or roll back together.
     *
     * @return true when the effect ran
     */
    public Uni<Boolean> processOnce(String consumer, String ceId, Supplier<Uni<?>> effect) {
        return markProcessed(consumer, ceId)
                .chain(first -> first ? effect.get().replaceWith(Boolean.TRUE) : Uni.createFrom().item(Boolean.FALSE));
    }
}
