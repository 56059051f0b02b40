package dev.switchboard.messaging.inbox;

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
