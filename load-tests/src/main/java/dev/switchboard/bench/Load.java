package dev.switchboard.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;

/** Helpers shared by the scenarios: clients, bounded-concurrency connects, waiting on futures. */
final class Load {
    private Load() {
    }

    static WebSocketClient wsClient(Vertx vertx, String localAddress) {
        WebSocketClientOptions options = new WebSocketClientOptions().setMaxConnections(1_000_000)
                .setMaxMessageSize(1 << 20).setMaxFrameSize(1 << 20).setConnectTimeout(30_000);
        if (localAddress != null) {
            options.setLocalAddress(localAddress);
        }
        return vertx.createWebSocketClient(options);
    }

    /** Runs {@code count} operations with at most {@code concurrency} in flight; the results in order. */
    static <T> List<T> all(int count, int concurrency, IntFunction<Future<T>> operation) {
        List<T> out = new ArrayList<>(count);
        for (int from = 0; from < count; from += concurrency) {
            List<Future<T>> batch = new ArrayList<>();
            for (int i = from; i < Math.min(count, from + concurrency); i++) {
                batch.add(operation.apply(i));
            }
            for (Future<T> f : batch) {
                out.add(await(f, 60));
            }
        }
        return out;
    }

    static <T> T await(Future<T> future, int seconds) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e.getCause() != null ? e.getCause().getMessage() : e.toString(), e);
        }
    }

    /** Waits (polling every 20 ms) until the condition holds or the deadline passes; returns whether it held. */
    static boolean waitUntil(java.util.function.BooleanSupplier condition, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20); // a benchmark's drain wait, bounded by the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** The publisher's pacing interval (a load generator's clock, not synchronisation). */
    static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Retries an operation that a real client would retry: {@code UNAVAILABLE} (a service behind the
     * gateway is briefly overwhelmed, e.g. by a storm of joins), after a pause, a few times.
     */
    static <T> Future<T> retrying(Vertx vertx, java.util.function.Supplier<Future<T>> operation, int attempts) {
        return operation.get().recover(e -> {
            if (attempts <= 1 || e.getMessage() == null || !e.getMessage().startsWith("UNAVAILABLE")) {
                return Future.failedFuture(e);
            }
            io.vertx.core.Promise<T> later = io.vertx.core.Promise.promise();
            vertx.setTimer(250, t -> retrying(vertx, operation, attempts - 1).onComplete(later));
            return later.future();
        });
    }

    /**
     * Calls {@code send} with 0, 1, 2, … {@code total - 1}, each when it falls due at {@code perSecond}
     * (from now), in bursts every few milliseconds: the generator's clock.
     */
    static void paced(long total, double perSecond, java.util.function.LongConsumer send) {
        pacedTicks(total, perSecond, (from, to) -> {
            for (long i = from; i < to; i++) {
                send.accept(i);
            }
        });
    }

    /** As {@link #paced}, but hands over all the events due at one tick (every 2 ms) at once: [from, to). */
    static void pacedTicks(long total, double perSecond, Tick send) {
        long start = System.nanoTime();
        long sent = 0;
        while (sent < total) {
            long due = Math.min(total, (long) Math.floor((System.nanoTime() - start) / 1e9 * perSecond) + 1);
            if (due > sent) {
                send.due(sent, due);
                sent = due;
            }
            pause(2);
        }
    }

    /** The events {@code [from, to)} are due now. */
    @FunctionalInterface
    interface Tick {
        void due(long from, long to);
    }
}
