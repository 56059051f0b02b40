package dev.switchboard.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * The chat send's own timeout: it is what bounds a send to a chat-service that took the request and
 * never answers (a paused or wedged process), with no fault-tolerance timer of its own on the hot path.
 * A real HTTP server that reads the request and stays silent.
 */
class MessageSenderTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void aSendThatGetsNoAnswerFailsAsAServiceFailureAfterTheReadTimeout() throws Exception {
        AtomicInteger received = new AtomicInteger();
        HttpServer silent = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> received.incrementAndGet()));
        int port = silent.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join().actualPort();
        MessageSender sender = new MessageSender(vertx, new ObjectMapper(), URI.create("http://127.0.0.1:" + port), 2000, 1000);
        try {
            CompletableFuture<Throwable> failure = sender.send("Bearer x", "00000000-0000-0000-0000-000000000001",
                    "{\"message\":\"hello\"}".getBytes()).subscribeAsCompletionStage()
                    .handle((value, error) -> error instanceof CompletionException c ? c.getCause() : error)
                    .toCompletableFuture();
            assertThat(failure.get(30, TimeUnit.SECONDS)).isInstanceOf(ServiceCalls.ServiceFailure.class)
                    .hasMessageContaining("chat-service");
            assertThat(received).hasValue(1);
        } finally {
            sender.close();
        }
    }
}
