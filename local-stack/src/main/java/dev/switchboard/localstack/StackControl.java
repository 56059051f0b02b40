package dev.switchboard.localstack;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The stack's control port on 127.0.0.1 ({@link StackProfile#controlPort}), for fault tests:
 * {@code POST /servers/{postgres|redis|kafka}/{kill|start|pause|resume}}. {@code kill} is a SIGKILL,
 * as a crash; {@code start} brings the server back on its data and answers once it is ready;
 * {@code pause} is a SIGSTOP (a hung server: its sockets stay open, nothing answers), {@code resume} a SIGCONT. Bound to the
 * loopback only, as the servers are.
 */
final class StackControl implements AutoCloseable {
    private final HttpServer server;

    private StackControl(HttpServer server) {
        this.server = server;
    }

    static StackControl start(LocalStack stack, int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 8);
            server.createContext("/servers/", exchange -> handle(stack, exchange));
            server.start();
            return new StackControl(server);
        } catch (IOException e) {
            throw new StackException("cannot open the control port " + port + ": " + e.getMessage(), e);
        }
    }

    private static void handle(LocalStack stack, HttpExchange exchange) throws IOException {
        String[] parts = exchange.getRequestURI().getPath().split("/");
        if (!"POST".equals(exchange.getRequestMethod()) || parts.length != 4) {
            reply(exchange, 404, "POST /servers/{postgres|redis|kafka}/{kill|start|pause|resume}");
            return;
        }
        try {
            System.out.println("[local-stack] control: " + parts[3] + " " + parts[2]);
            stack.control(parts[2], parts[3]);
            reply(exchange, 200, parts[2] + " " + parts[3] + ": done");
        } catch (RuntimeException e) {
            reply(exchange, 400, e.getMessage());
        }
    }

    private static void reply(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
