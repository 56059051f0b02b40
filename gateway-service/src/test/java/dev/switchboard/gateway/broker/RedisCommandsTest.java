package dev.switchboard.gateway.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.switchboard.testsupport.TestStack;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * A command whose answer never comes — the connection to Redis went silent without being closed, as one
 * whose peer vanished does — fails after {@link RedisCommands#TIMEOUT} instead of holding its caller (a
 * Kafka partition's fan-out) for ever. The test stack's real Redis sits behind a proxy that stops passing
 * bytes on, in both directions, without closing anything.
 */
class RedisCommandsTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void aCommandThatGetsNoAnswerFailsWithATimeoutAndABatchToo() throws Exception {
        SilencingProxy proxy = proxyToTheTestStacksRedis();
        Redis redis = clientThrough(proxy);
        Response pong = RedisCommands.send(redis, Request.cmd(Command.PING)).await().atMost(Duration.ofSeconds(10));
        assertThat(pong.toString()).isEqualTo("PONG");

        proxy.silence();
        CompletableFuture<Throwable> single = failureOf(RedisCommands.send(redis, Request.cmd(Command.PING))
                .subscribeAsCompletionStage());
        CompletableFuture<Throwable> batch = failureOf(RedisCommands.batch(redis,
                List.of(Request.cmd(Command.PING), Request.cmd(Command.PING))).subscribeAsCompletionStage());
        long deadline = RedisCommands.TIMEOUT.toSeconds() + 20;
        assertThat(single.get(deadline, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class)
                .hasMessageContaining("no answer from Redis");
        assertThat(batch.get(deadline, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
    }

    /**
     * The waits are kept in one set that a sweeper looks over: an answered command and one its caller
     * gave up on leave it at once (other tests' gateways in this JVM may have a few commands out meanwhile,
     * hence a bound rather than zero).
     */
    @Test
    void answeredAndCancelledCommandsStopBeingTimed() throws Exception {
        SilencingProxy proxy = proxyToTheTestStacksRedis();
        Redis redis = clientThrough(proxy);
        for (int i = 0; i < 500; i++) {
            RedisCommands.send(redis, Request.cmd(Command.PING)).await().atMost(Duration.ofSeconds(10));
        }
        assertThat(RedisCommands.waiting()).as("commands still timed after their answers").isLessThan(20);

        proxy.silence();
        // 20: one on the connection and the rest waiting for it, within the client's queue for its pool (24), so
        // none is refused at once.
        int silent = 20;
        List<io.smallrye.mutiny.subscription.Cancellable> calls = new java.util.ArrayList<>();
        for (int i = 0; i < silent; i++) {
            calls.add(RedisCommands.send(redis, Request.cmd(Command.PING)).subscribe().with(r -> { }, e -> { }));
        }
        assertThat(RedisCommands.waiting()).as("commands waiting for a silent Redis").isGreaterThanOrEqualTo(silent);
        calls.forEach(io.smallrye.mutiny.subscription.Cancellable::cancel);
        assertThat(RedisCommands.waiting()).as("commands still timed after their callers cancelled").isLessThan(silent);
    }

    private SilencingProxy proxyToTheTestStacksRedis() {
        TestStack.ensureRunning();
        return new SilencingProxy(vertx, TestStack.PROFILE.redisPort);
    }

    /** One connection, so every command goes through the proxy's one pair of sockets. */
    private Redis clientThrough(SilencingProxy proxy) {
        return Redis.createClient(vertx, new RedisOptions()
                .setConnectionString("redis://127.0.0.1:" + proxy.port()).setMaxPoolSize(1));
    }

    private static CompletableFuture<Throwable> failureOf(java.util.concurrent.CompletionStage<?> stage) {
        return stage.handle((value, error) -> error instanceof java.util.concurrent.CompletionException c
                ? c.getCause() : error).toCompletableFuture();
    }

    /** Passes bytes between a client and Redis until {@link #silence()}; then drops them, keeping the sockets open. */
    private static final class SilencingProxy {
        private final NetServer server;
        private volatile boolean silent;

        SilencingProxy(Vertx vertx, int redisPort) {
            server = vertx.createNetServer().connectHandler(client -> {
                client.pause();
                vertx.createNetClient().connect(redisPort, "127.0.0.1").onSuccess(upstream -> {
                    pipe(client, upstream);
                    pipe(upstream, client);
                    client.resume();
                }).onFailure(e -> client.close());
            });
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
        }

        private void pipe(NetSocket from, NetSocket to) {
            from.handler(bytes -> {
                if (!silent) {
                    to.write(bytes);
                }
            });
        }

        int port() {
            return server.actualPort();
        }

        void silence() {
            silent = true;
        }
    }
}
