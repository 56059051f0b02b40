package dev.switchboard.gateway.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import dev.switchboard.testsupport.TestStack;

/** One Redis command to the test stack's Redis, as redis-cli would send it (tests set up states with it). */
final class RedisCli {
    private RedisCli() {
    }

    /** Sends the command and returns the first line of the reply (e.g. {@code :400} or {@code +OK}). */
    static String call(String... args) {
        StringBuilder command = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            command.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg)
                    .append("\r\n");
        }
        try (Socket socket = new Socket("127.0.0.1", TestStack.PROFILE.redisPort)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(command.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\r') {
                line.append((char) c);
            }
            return line.toString();
        } catch (IOException e) {
            throw new IllegalStateException("Redis: " + e.getMessage(), e);
        }
    }
}
