package dev.switchboard.testsupport;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One command to the test stack's Redis over a plain socket (RESP), as redis-cli would send it:
 * tests set up states with it (trim a room log) and the benchmark reads figures (INFO).
 */
public final class TestRedis {
    private TestRedis() {
    }

    /** The first line of the reply (e.g. {@code :400} or {@code +OK}). */
    public static String call(String... args) {
        return request(args, Reply.FIRST_LINE);
    }

    /** The whole reply, a line per RESP line (bulk strings and arrays included). */
    public static String reply(String... args) {
        return request(args, Reply.WHOLE);
    }

    /** The text of a bulk-string reply (GET, INFO), or null for a nil or any other reply. */
    public static String bulk(String... args) {
        return request(args, Reply.BULK);
    }

    private enum Reply {
        FIRST_LINE, WHOLE, BULK
    }

    private static String request(String[] args, Reply reply) {
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
            InputStream in = new BufferedInputStream(socket.getInputStream());
            switch (reply) {
                case FIRST_LINE:
                    return line(in);
                case BULK:
                    String header = line(in);
                    if (!header.startsWith("$") || header.equals("$-1")) {
                        return null;
                    }
                    return new String(in.readNBytes(Integer.parseInt(header.substring(1))), StandardCharsets.UTF_8);
                default:
                    StringBuilder text = new StringBuilder();
                    readValue(in, text);
                    return text.toString();
            }
        } catch (IOException e) {
            throw new IllegalStateException("Redis: " + e.getMessage(), e);
        }
    }

    private static void readValue(InputStream in, StringBuilder text) throws IOException {
        String line = line(in);
        text.append(line).append('\n');
        if (line.startsWith("*") && !line.equals("*-1")) {
            int count = Integer.parseInt(line.substring(1));
            for (int i = 0; i < count; i++) {
                readValue(in, text);
            }
        } else if (line.startsWith("$") && !line.equals("$-1")) {
            byte[] bulk = in.readNBytes(Integer.parseInt(line.substring(1)) + 2);
            text.append(new String(bulk, 0, bulk.length - 2, StandardCharsets.UTF_8)).append('\n');
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\r') {
            line.append((char) c);
        }
        if (c == '\r') {
            in.read();
        }
        return line.toString();
    }
}
