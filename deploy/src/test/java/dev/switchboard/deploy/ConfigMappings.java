package dev.switchboard.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The property names a {@code @ConfigMapping(prefix = ...)} interface defines, read from its source:
 * each method is a property (kebab-case, or {@code @WithName}), a method returning a nested
 * interface a group of them, a Map a group of any names; with each one's {@code @WithDefault}. What SmallRye Config itself derives, for the
 * shapes this project uses.
 */
final class ConfigMappings {
    private static final Pattern MAPPING = Pattern.compile("@ConfigMapping\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern INTERFACE = Pattern.compile("\\binterface\\s+(\\w+)[^{;]*\\{");
    private static final Pattern METHOD = Pattern.compile("([\\w.]+(?:<[\\w.<>, ?]+>)?)\\s+(\\w+)\\(\\s*\\)\\s*;");
    private static final Pattern WITH_NAME = Pattern.compile("@WithName\\(\\s*\"([^\"]+)\"\\s*\\)");
    private static final Pattern WITH_DEFAULT = Pattern.compile("@WithDefault\\(\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*\\)");

    private ConfigMappings() {
    }

    static Map<String, String> properties(String source) {
        Matcher mapping = MAPPING.matcher(source);
        if (!mapping.find()) {
            return Map.of();
        }
        String clean = blankCommentsAndStrings(source);
        Map<String, int[]> interfaces = new LinkedHashMap<>();
        Matcher i = INTERFACE.matcher(clean);
        while (i.find()) {
            interfaces.put(i.group(1), new int[] {i.end(), closingBrace(clean, i.end())});
        }
        Matcher top = INTERFACE.matcher(clean);
        if (!top.find(mapping.end())) {
            throw new IllegalStateException("@ConfigMapping without an interface");
        }
        Map<String, List<Member>> members = new LinkedHashMap<>();
        Matcher m = METHOD.matcher(clean);
        while (m.find()) {
            String owner = innermost(interfaces, m.start());
            if (owner != null) {
                int from = Math.max(clean.lastIndexOf(';', m.start()), Math.max(clean.lastIndexOf('{', m.start()), clean.lastIndexOf('}', m.start())));
                String annotations = source.substring(from + 1, m.start());
                Matcher withName = WITH_NAME.matcher(annotations);
                String property = withName.find() ? withName.group(1) : kebab(m.group(2));
                Matcher withDefault = WITH_DEFAULT.matcher(annotations);
                members.computeIfAbsent(owner, k -> new ArrayList<>()).add(new Member(m.group(1), property,
                        annotations.contains("@WithParentName"), withDefault.find() ? withDefault.group(1) : null));
            }
        }
        Map<String, String> properties = new LinkedHashMap<>();
        expand(mapping.group(1), top.group(1), members, properties);
        return properties;
    }

    private static void expand(String prefix, String type, Map<String, List<Member>> members, Map<String, String> out) {
        for (Member member : members.getOrDefault(type, List.of())) {
            String path = member.parentName() ? prefix : prefix + "." + member.property();
            String raw = member.type().replaceAll("^(?:java\\.util\\.)?Optional<(.+)>$", "$1");
            if (raw.startsWith("Map<") || raw.startsWith("java.util.Map<")) {
                out.put(path + ".*", null);
            } else if (members.containsKey(raw)) {
                expand(path, raw, members, out);
            } else {
                out.put(path, member.defaultValue());
            }
        }
    }

    private static String innermost(Map<String, int[]> interfaces, int position) {
        String owner = null;
        int size = Integer.MAX_VALUE;
        for (Map.Entry<String, int[]> e : interfaces.entrySet()) {
            int[] body = e.getValue();
            if (position > body[0] && position < body[1] && body[1] - body[0] < size) {
                owner = e.getKey();
                size = body[1] - body[0];
            }
        }
        return owner;
    }

    private static int closingBrace(String text, int afterOpening) {
        int depth = 1;
        for (int i = afterOpening; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalStateException("unbalanced braces");
    }

    /** The source with comments and the insides of string and char literals replaced by spaces (positions kept). */
    private static String blankCommentsAndStrings(String source) {
        StringBuilder out = new StringBuilder(source);
        int i = 0;
        while (i < out.length()) {
            char c = out.charAt(i);
            if (c == '/' && i + 1 < out.length() && out.charAt(i + 1) == '/') {
                while (i < out.length() && out.charAt(i) != '\n') {
                    out.setCharAt(i++, ' ');
                }
            } else if (c == '/' && i + 1 < out.length() && out.charAt(i + 1) == '*') {
                int end = out.indexOf("*/", i + 2);
                end = end < 0 ? out.length() : end + 2;
                for (; i < end; i++) {
                    if (out.charAt(i) != '\n') {
                        out.setCharAt(i, ' ');
                    }
                }
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < out.length() && out.charAt(i) != c) {
                    if (out.charAt(i) == '\\') {
                        out.setCharAt(i++, ' ');
                    }
                    out.setCharAt(i++, ' ');
                }
                i++;
            } else {
                i++;
            }
        }
        return out.toString();
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private record Member(String type, String property, boolean parentName, String defaultValue) {
    }
}
