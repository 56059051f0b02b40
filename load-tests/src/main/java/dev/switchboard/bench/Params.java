package dev.switchboard.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Scenario parameters from {@code --name=value} (or {@code --name value}); each read records its default. */
final class Params {
    private final Map<String, String> given = new LinkedHashMap<>();
    private final Map<String, String> used = new LinkedHashMap<>();

    static Params parse(String[] args, int from) {
        Params p = new Params();
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected --name=value, got " + a);
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                value = "true";
            }
            p.given.put(name, value);
        }
        return p;
    }

    static Params of(Map<String, String> values) {
        Params p = new Params();
        p.given.putAll(values);
        return p;
    }

    String str(String name, String fallback) {
        String v = given.getOrDefault(name, fallback);
        used.put(name, v);
        return v;
    }

    int integer(String name, int fallback) {
        return Integer.parseInt(str(name, String.valueOf(fallback)));
    }

    double decimal(String name, double fallback) {
        return Double.parseDouble(str(name, String.valueOf(fallback)));
    }

    boolean flag(String name, boolean fallback) {
        return Boolean.parseBoolean(str(name, String.valueOf(fallback)));
    }

    List<Integer> integers(String name, String fallback) {
        List<Integer> out = new ArrayList<>();
        for (String s : str(name, fallback).split(",")) {
            if (!s.isBlank()) {
                out.add(Integer.parseInt(s.trim()));
            }
        }
        return out;
    }

    List<String> strings(String name, String fallback) {
        List<String> out = new ArrayList<>();
        for (String s : str(name, fallback).split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    /**
     * Before a run: a name the scenario does not know is a typo — say so now, not after a quarter of an
     * hour of measuring.
     */
    void checkKnown(java.util.Set<String> known) {
        for (String name : given.keySet()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown parameter --" + name + " (known: " + known + ")");
            }
        }
    }

    /** After a run: every name the scenario read is one {@link #checkKnown} knows (the smoke test runs this). */
    void checkReadOnly(java.util.Set<String> known) {
        for (String name : used.keySet()) {
            if (!known.contains(name)) {
                throw new IllegalStateException("the scenario reads --" + name + ", missing from Bench.PARAMETERS");
            }
        }
    }

    /** Unknown names are a typo: say so rather than run with the default. */
    void checkAllUsed() {
        for (String name : given.keySet()) {
            if (!used.containsKey(name) && !name.equals("out")) {
                throw new IllegalArgumentException("unknown parameter --" + name + " (known: " + used.keySet() + ")");
            }
        }
    }

    void writeTo(ObjectNode node) {
        used.forEach(node::put);
    }
}
