package dev.switchboard.chat.service;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.owasp.html.PolicyFactory;
import org.owasp.html.Sanitizers;

import dev.switchboard.service.rest.Problem;
import dev.switchboard.service.rest.ProblemException;

/**
 * Message text: stored exactly as written, checked on the way in (length, control characters) and
 * sanitised for HTML on the way out, so no stored script reaches a browser. Simple formatting and
 * http(s)/mailto links survive; scripts, event handlers, images and javascript: URLs do not.
 */
public final class MessageText {
    public static final int MAX_LENGTH = 4_000;
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}&&[^\\n\\r\\t]]");
    private static final Pattern MENTION = Pattern.compile("(?<![\\w@])@([A-Za-z0-9][A-Za-z0-9._-]{0,63})");
    static final PolicyFactory OUTPUT_POLICY = Sanitizers.FORMATTING.and(Sanitizers.LINKS);

    private MessageText() {
    }

    /** Fails with a 400 problem naming the field when the text may not be stored. */
    public static void check(String field, String text) {
        if (text.codePointCount(0, text.length()) > MAX_LENGTH) {
            throw invalid(field, "must be at most " + MAX_LENGTH + " characters");
        }
        if (CONTROL.matcher(text).find()) {
            throw invalid(field, "must not contain control characters (other than line breaks and tabs)");
        }
    }

    /**
     * The text as a browser may show it. Most messages are plain words and punctuation that the policy
     * returns unchanged: those are returned as they are without running the sanitiser (MessageTextTest
     * checks, character by character, that the policy leaves each of them alone).
     */
    public static String sanitise(String text) {
        return isVerbatim(text) ? text : OUTPUT_POLICY.sanitize(text);
    }

    /** The characters the output policy never changes; none of them can start markup or an entity. */
    static final String VERBATIM_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            + " .,;:!?-_()[]/*#$%^~|\\\n";
    private static final boolean[] VERBATIM = new boolean[128];
    static {
        for (char c : VERBATIM_CHARACTERS.toCharArray()) {
            VERBATIM[c] = true;
        }
    }

    static boolean isVerbatim(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 128 || !VERBATIM[c]) {
                return false;
            }
        }
        return true;
    }

    /** The user names mentioned with {@code @name}, in order, once each. */
    public static List<String> mentions(String text) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = MENTION.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            while (name.endsWith(".") || name.endsWith("-")) {
                name = name.substring(0, name.length() - 1);
            }
            names.add(name);
        }
        return List.copyOf(names);
    }

    static ProblemException invalid(String field, String message) {
        return ProblemException.badRequest("the field " + field + " is invalid",
                List.of(new Problem.FieldError(field, message)));
    }
}
