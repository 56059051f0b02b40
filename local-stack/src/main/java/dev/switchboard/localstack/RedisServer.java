package dev.switchboard.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Redis on 127.0.0.1 without persistence: rooms, presence and room logs are rebuilt by the gateways. */
final class RedisServer implements LocalServer {
    private final StackProfile profile;
    private final Path binary;
    private final Path home;
    private final Path watchdog;
    private ServerProcess process;

    RedisServer(StackProfile profile, Path binary, Path home, Path watchdog) {
        this.profile = profile;
        this.binary = binary;
        this.home = home;
        this.watchdog = watchdog;
    }

    @Override
    public String name() {
        return "Redis";
    }


    @Override
    public void start() {
        try {
            Files.createDirectories(home);
        } catch (IOException e) {
            throw new StackException("cannot create " + home + ": " + e.getMessage(), e);
        }
        List<String> command = List.of(binary.toString(),
                "--port", Integer.toString(profile.redisPort),
                "--bind", "127.0.0.1",
                "--dir", home.toString(),
                "--save", "",
                "--appendonly", "no",
                "--protected-mode", "no",
                "--daemonize", "no");
        process = ServerProcess.start(name(), watchdog, command, home, home.resolve("redis.log"), Map.of());
    }

    @Override
    public void awaitReady(Instant deadline) {
        while (Instant.now().isBefore(deadline)) {
            process.checkAlive();
            if (ping(profile.redisPort)) {
                return;
            }
            LocalServer.pause(50);
        }
        throw new StackException("Redis did not answer PING on port " + profile.redisPort + " in time. End of "
                + process.logFile() + ":\n" + ServerProcess.tail(process.logFile(), 20));
    }

    static boolean ping(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            int n = in.readNBytes(reply, 0, 7);
            return n == 7 && new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void signal(String signal) {
        if (process != null) {
            process.signal(signal);
        }
    }

    @Override
    public void kill() {
        if (process != null) {
            process.kill();
        }
    }

    @Override
    public void stop() {
        if (process != null) {
            process.stop(15);
        }
    }
}
