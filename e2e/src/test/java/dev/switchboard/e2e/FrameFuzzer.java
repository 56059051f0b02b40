package dev.switchboard.e2e;

import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Random and mutated {@code switchboard.v1} frames for {@link WebSocketFuzzIT}: envelopes of every
 * request type (and unknown ones) whose fields get wrong types, huge numbers, deep nesting, unicode
 * edge cases and over-long strings, and broken JSON made by mutating such frames. Frames are built
 * as text so that they can hold what a JSON library would not write (1e400, lone surrogates as
 * escapes, duplicate keys). Deterministic for a seed.
 */
final class FrameFuzzer {
    static final List<String> TYPES = List.of("authenticate", "refresh_token", "join_ticket", "leave_ticket",
            "send_message", "get_messages", "typing_indicator", "typing_start", "typing_stop", "message_seen",
            "get_online_users", "set_presence", "list_tickets", "get_ticket", "get_user_tickets",
            "get_ticket_activities", "list_notifications", "mark_notification_read", "ping");
    private static final List<String> FIELDS = List.of("ticket_id", "message_id", "message", "since", "epoch", "before",
            "after", "limit", "offset", "is_typing", "status", "user_id", "notification_id", "all", "token",
            "client_msg_id", "attachments", "message_type", "requester", "assignee", "text", "cursor", "priority");
    /** Strings a parser, a database or a terminal may choke on; JSON escapes are written as such. */
    private static final List<String> NASTY = List.of("\\u0000", "\\ud800", "\\udfff\\ud800", "x\\udbff", "\u202e\u202dabc",
            "\u200b\u200c\u200d\ufeff", "😀👩‍👩‍👧‍👦🏳️‍🌈", "e\u0301\u0301\u0301\u0301", "\uffff\ufffe", "\\\\", "\\\"",
            "%s%n%x", "' OR 1=1 --", "'; DROP TABLE chat_message; --", "../../../etc/passwd", "${jndi:ldap://x/a}",
            "#{7*7}", "<script>alert(1)</script>", "\\r\\n\\r\\nHTTP/1.1 200", "NaN", "null", "true", "-0", "", " ",
            "ticket:*", "user:*", "*", "\\t\\b\\f", "\u0085\u2028\u2029", "𝕿𝖍𝖊 𝖙𝖎𝖈𝖐𝖊𝖙", "ᚠᛇᚻ᛫ᛒᛦᚦ", "مرحبا");
    private static final List<String> NUMBERS = List.of("1e400", "-1e400", "99999999999999999999999999999999",
            "9223372036854775808", "-9223372036854775809", "2147483648", "-1", "0", "-0", "1.5", "1e-400",
            "4.9e-324", "1.7976931348623157e309", "0.000000000000000000000000000001", "123456789012345678901234567890e10");

    private final Random random;
    private final String ticketId;
    private int frames;

    FrameFuzzer(long seed, String ticketId) {
        this.random = new Random(seed);
        this.ticketId = ticketId;
    }

    /** A frame and the id it carries (null when it has none the client could match an answer on). */
    record Frame(String text, String id, String kind) {
    }

    /** The next frame, always under the gateway's 64 KB limit (frames over it are tried on their own). */
    Frame next() {
        Frame frame = candidate();
        while (frame.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_BYTES) {
            frame = candidate();
        }
        // A mutation may split a surrogate pair; a text frame must be UTF-8, so the half becomes U+FFFD
        // (unpaired surrogates are still sent, as JSON escapes).
        return new Frame(wellFormed(frame.text()), frame.id(), frame.kind());
    }

    private static String wellFormed(String text) {
        StringBuilder s = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                s.append(c).append(text.charAt(++i));
            } else {
                s.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return s.toString();
    }

    static final int MAX_BYTES = 60_000;

    private Frame candidate() {
        String id = "f" + (++frames);
        int pick = random.nextInt(100);
        if (pick < 55) {
            return new Frame(envelope(id, type(), payload()), id, "mutated-fields");
        }
        if (pick < 65) {
            return new Frame(envelope(id, type(), deep()), id, "deep-nesting");
        }
        if (pick < 72) {
            return new Frame(envelope(id, value(0), payload()), id, "wrong-type-type");
        }
        if (pick < 77) {
            // The envelope itself mutated: no payload, payload not an object, extra and duplicate keys.
            String[] shapes = { "{\"type\":" + str(type()) + ",\"id\":" + str(id) + "}",
                    "{\"type\":" + str(type()) + ",\"id\":" + str(id) + ",\"payload\":" + value(0) + "}",
                    "{\"type\":" + str(type()) + ",\"id\":" + str(id) + ",\"payload\":{},\"type\":" + str(type()) + "}",
                    "{\"id\":" + str(id) + ",\"payload\":" + payload() + "}",
                    "{\"type\":" + str(type()) + ",\"id\":" + str(id) + ",\"payload\":" + payload() + ",\"extra\":" + value(0) + "}" };
            return new Frame(shapes[random.nextInt(shapes.length)], id, "envelope");
        }
        if (pick < 80) {
            String numeric = String.valueOf(1_000_000 + frames);
            return new Frame("{\"type\":" + str(type()) + ",\"id\":" + numeric + ",\"payload\":" + payload() + "}",
                    numeric, "numeric-id");
        }
        if (pick < 83) {
            return new Frame("{\"type\":\"ping\",\"id\":" + value(0) + "}", null, "wrong-type-id");
        }
        if (pick < 86) {
            return new Frame(envelope(id, type(), "{\"message\":" + str(longString(1_000 + random.nextInt(15_000)))
                    + ",\"ticket_id\":" + str(ticketId) + "}"), id, "long-strings");
        }
        return new Frame(broken(envelope(id, type(), payload())), null, "broken-json");
    }

    private String type() {
        int pick = random.nextInt(10);
        if (pick < 7) {
            return TYPES.get(random.nextInt(TYPES.size()));
        }
        if (pick < 9) {
            return NASTY.get(random.nextInt(NASTY.size()));
        }
        return TYPES.get(random.nextInt(TYPES.size())).toUpperCase();
    }

    private static String envelope(String id, String type, String payload) {
        String typeJson = type.startsWith("{") || type.startsWith("[") || type.matches("-?[0-9].*|true|false|null")
                ? type : str(type);
        return "{\"type\":" + typeJson + ",\"id\":" + str(id) + ",\"payload\":" + payload + "}";
    }

    private String payload() {
        StringBuilder p = new StringBuilder("{");
        int fields = random.nextInt(5);
        for (int i = 0; i < fields; i++) {
            if (i > 0) {
                p.append(',');
            }
            String field = random.nextInt(10) == 0 ? NASTY.get(random.nextInt(NASTY.size())) : FIELDS.get(random.nextInt(FIELDS.size()));
            p.append(str(field)).append(':').append(fieldValue(field));
        }
        return p.append('}').toString();
    }

    private String fieldValue(String field) {
        int pick = random.nextInt(10);
        if (pick < 3 && (field.endsWith("_id") || field.equals("before") || field.equals("after"))) {
            return str(random.nextBoolean() ? ticketId : UUID.randomUUID().toString());
        }
        return value(0);
    }

    /** Any JSON value, often a wrong one. */
    private String value(int depth) {
        switch (random.nextInt(depth > 2 ? 6 : 9)) {
            case 0:
                return NUMBERS.get(random.nextInt(NUMBERS.size()));
            case 1:
                return String.valueOf(random.nextInt());
            case 2:
                return random.nextBoolean() ? "true" : "false";
            case 3:
                return "null";
            case 4:
            case 5:
                return str(NASTY.get(random.nextInt(NASTY.size())));
            case 6:
                return "[" + value(depth + 1) + "," + value(depth + 1) + "]";
            case 7:
                return "{" + str(FIELDS.get(random.nextInt(FIELDS.size()))) + ":" + value(depth + 1) + "}";
            default:
                return str(longString(random.nextInt(5_000)));
        }
    }

    /** A payload nested 10 to 20,000 levels deep (the parser's limit is 1,000), always under the 64 KB frame limit. */
    private String deep() {
        int depth = random.nextBoolean() ? 10 + random.nextInt(900) : 1_001 + random.nextInt(9_000);
        String open = random.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        return "{\"ticket_id\":" + open.repeat(depth) + "1" + close.repeat(depth) + "}";
    }

    private String longString(int length) {
        StringBuilder s = new StringBuilder(length);
        String[] units = { "a", "é", "😀", "\u202e", "\\u0000", "\\ud800", " " };
        while (s.length() < length) {
            s.append(units[random.nextInt(units.length)]);
        }
        return s.toString();
    }

    /** The text as a JSON string; backslash escapes already in it are kept as written. */
    private static String str(String text) {
        StringBuilder s = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' && (i == 0 || text.charAt(i - 1) != '\\')) {
                s.append("\\\"");
            } else if (c < 0x20) {
                s.append(String.format("\\u%04x", (int) c));
            } else {
                s.append(c);
            }
        }
        if (trailingBackslashes(text) % 2 == 1) {
            s.append('\\');
        }
        return s.append('"').toString();
    }

    private static int trailingBackslashes(String text) {
        int n = 0;
        for (int i = text.length() - 1; i >= 0 && text.charAt(i) == '\\'; i--) {
            n++;
        }
        return n;
    }

    /** Broken JSON: truncated, a byte deleted, inserted or swapped, quotes unbalanced, or plain garbage. */
    private String broken(String json) {
        switch (random.nextInt(7)) {
            case 0:
                return json.substring(0, random.nextInt(Math.max(1, json.length())));
            case 1: {
                int at = random.nextInt(json.length());
                return json.substring(0, at) + json.substring(at + 1);
            }
            case 2: {
                int at = random.nextInt(json.length());
                return json.substring(0, at) + "{}[]\",:\\".charAt(random.nextInt(8)) + json.substring(at);
            }
            case 3:
                return json.replace('"', '\'');
            case 4:
                return "{".repeat(1 + random.nextInt(3000));
            case 5: {
                StringBuilder garbage = new StringBuilder();
                for (int i = random.nextInt(200); i >= 0; i--) {
                    garbage.append((char) (0x20 + random.nextInt(0x5f)));
                }
                return garbage.toString();
            }
            default:
                return json + json;
        }
    }
}
