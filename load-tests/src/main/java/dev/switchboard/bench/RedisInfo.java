package dev.switchboard.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import dev.switchboard.testsupport.TestStack;

/** {@code INFO} and {@code GET} on the test stack's Redis over a plain socket (RESP). */
final class RedisInfo {
    private RedisInfo() {
    }

    static Map<String, String> info() {
        String text = bulk("INFO", "all");
        Map<String, String> out = new HashMap<>();
        for (String line : text.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                out.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return out;
    }

    static long commands() {
        return Long.parseLong(info().getOrDefault("total_commands_processed", "0"));
    }

    static double cpuSeconds() {
        Map<String, String> i = info();
        return Double.parseDouble(i.getOrDefault("used_cpu_sys", "0")) + Double.parseDouble(i.getOrDefault("used_cpu_user", "0"));
    }

    static long roomSeq(String room) {
        String v = bulk("GET", "sb:{" + room + "}:seq");
        return v == null || v.isEmpty() ? 0 : Long.parseLong(v);
    }

    private static String bulk(String... args) {
        StringBuilder cmd = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            cmd.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        try (Socket s = new Socket("127.0.0.1", TestStack.PROFILE.redisPort)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(cmd.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder header = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\r') {
                header.append((char) c);
            }
            in.read();
            if (header.charAt(0) != '$' || header.toString().equals("$-1")) {
                return null;
            }
            int len = Integer.parseInt(header.substring(1));
            return new String(in.readNBytes(len), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("Redis: " + e.getMessage(), e);
        }
    }
}
