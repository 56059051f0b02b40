package dev.switchboard.gateway.broker;

import java.util.List;

import io.smallrye.mutiny.Uni;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/** One Redis command as a Uni, sent when subscribed to: how the gateway's Redis classes talk to Redis. */
public final class RedisCommands {
    private RedisCommands() {
    }

    public static Uni<Response> send(Redis redis, Request request) {
        return Uni.createFrom().completionStage(() -> redis.send(request).toCompletionStage());
    }

    /** The requests pipelined on one connection in one write; fails if any of them does. */
    public static Uni<List<Response>> batch(Redis redis, List<Request> requests) {
        return Uni.createFrom().completionStage(() -> redis.batch(requests).toCompletionStage());
    }
}
