package dev.switchboard.gateway.broker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import io.smallrye.mutiny.Uni;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/** A Lua script from {@code src/main/resources/lua}, run by EVALSHA, loaded by EVAL when Redis lacks it. */
public final class LuaScript {
    private final String source;
    private final String sha;

    private LuaScript(String source) {
        this.source = source;
        try {
            this.sha = HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The concatenation of the named resources under {@code lua/}. */
    public static LuaScript load(String... names) {
        StringBuilder text = new StringBuilder();
        for (String name : names) {
            try (InputStream in = LuaScript.class.getClassLoader().getResourceAsStream("lua/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("missing lua/" + name);
                }
                text.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return new LuaScript(text.toString());
    }

    public Uni<Response> run(Redis redis, List<String> keys, List<String> args) {
        return send(redis, Command.EVALSHA, sha, keys, args)
                .onFailure(e -> String.valueOf(e.getMessage()).startsWith("NOSCRIPT"))
                .recoverWithUni(() -> send(redis, Command.EVAL, source, keys, args));
    }

    /** The EVALSHA request {@link #run} sends first, for a batch; a batch that fails (NOSCRIPT too) is the caller's to retry with {@link #run}. */
    public Request request(List<String> keys, List<String> args) {
        return request(Command.EVALSHA, sha, keys, args);
    }

    /** {@code SCRIPT LOAD} of this script: sent ahead of a batch of {@link #request}s, it spares them NOSCRIPT. */
    public Request loadRequest() {
        return Request.cmd(Command.SCRIPT).arg("LOAD").arg(source);
    }

    private static Uni<Response> send(Redis redis, Command command, String script, List<String> keys,
            List<String> args) {
        return RedisCommands.send(redis, request(command, script, keys, args));
    }

    private static Request request(Command command, String script, List<String> keys, List<String> args) {
        Request request = Request.cmd(command).arg(script).arg(keys.size());
        keys.forEach(request::arg);
        args.forEach(request::arg);
        return request;
    }
}
