package dev.switchboard.ticket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.switchboard.messaging.inbox.ProcessedEvents;
import dev.switchboard.testsupport.LocalStackResource;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** The idempotent-consumer log of libs/messaging, in a service's real database and transactions. */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class ProcessedEventsTest {
    @Inject
    ProcessedEvents processed;

    @Inject
    Vertx vertx;

    @Test
    void aRedeliveredEventHasItsEffectOnce() throws Exception {
        String ceId = UUID.randomUUID().toString();
        AtomicInteger effects = new AtomicInteger();
        assertThat(inTransaction(() -> processed.processOnce("test-consumer", ceId,
                () -> Uni.createFrom().item(effects.incrementAndGet())))).isTrue();
        assertThat(inTransaction(() -> processed.processOnce("test-consumer", ceId,
                () -> Uni.createFrom().item(effects.incrementAndGet())))).isFalse();
        assertThat(inTransaction(() -> processed.processOnce("other-consumer", ceId,
                () -> Uni.createFrom().item(effects.incrementAndGet())))).isTrue();
        assertThat(effects.get()).isEqualTo(2);
    }

    @Test
    void anEffectThatFailsLeavesTheEventUnprocessed() throws Exception {
        String ceId = UUID.randomUUID().toString();
        AtomicInteger effects = new AtomicInteger();
        assertThatThrownBy(() -> inTransaction(() -> processed.processOnce("test-consumer", ceId,
                () -> Uni.createFrom().failure(new IllegalStateException("effect failed")))))
                .isInstanceOf(IllegalStateException.class).hasMessage("effect failed");
        assertThat(inTransaction(() -> processed.processOnce("test-consumer", ceId,
                () -> Uni.createFrom().item(effects.incrementAndGet())))).isTrue();
        assertThat(effects.get()).isEqualTo(1);
    }

    /** Runs {@code work} in a Hibernate Reactive transaction on a Vert.x context, as a consumer would. */
    private <T> T inTransaction(Supplier<Uni<T>> work) throws Exception {
        Context context = VertxContext.getOrCreateDuplicatedContext(vertx);
        VertxContextSafetyToggle.setContextSafe(context, true);
        CompletableFuture<T> result = new CompletableFuture<>();
        context.runOnContext(ignored -> Panache.withTransaction(work)
                .subscribe().with(result::complete, result::completeExceptionally));
        try {
            return result.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
