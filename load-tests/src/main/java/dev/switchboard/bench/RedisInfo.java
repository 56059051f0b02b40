package dev.switchboard.bench;

import java.util.HashMap;
import java.util.Map;

import dev.switchboard.testsupport.TestRedis;

/** Figures from the test stack's Redis: {@code INFO} counters and a room's seq. */
final class RedisInfo {
    private RedisInfo() {
    }

    static Map<String, String> info() {
        String text = TestRedis.bulk("INFO", "all");
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
        String v = TestRedis.bulk("GET", "sb:{" + room + "}:seq");
        return v == null || v.isEmpty() ? 0 : Long.parseLong(v);
    }
}
