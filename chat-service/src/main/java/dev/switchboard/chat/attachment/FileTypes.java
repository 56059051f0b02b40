package dev.switchboard.chat.attachment;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The content types an attachment may have, each with the magic bytes its content must start with,
 * so that a program renamed {@code .png} is refused whatever name and type the client claims.
 */
public final class FileTypes {
    public static final long MAX_BYTES = 10L * 1024 * 1024;

    private static final Map<String, Predicate<byte[]>> ALLOWED = Map.of(
            "image/png", b -> startsWith(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A),
            "image/jpeg", b -> startsWith(b, 0xFF, 0xD8, 0xFF),
            "image/gif", b -> startsWith(b, 'G', 'I', 'F', '8'),
            "image/webp", b -> startsWith(b, 'R', 'I', 'F', 'F') && b.length >= 12
                    && new String(Arrays.copyOfRange(b, 8, 12), StandardCharsets.US_ASCII).equals("WEBP"),
            "application/pdf", b -> startsWith(b, '%', 'P', 'D', 'F', '-'),
            "text/plain", FileTypes::isUtf8Text);

    private FileTypes() {
    }

    public static String normalise(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    public static boolean isAllowed(String contentType) {
        return ALLOWED.containsKey(normalise(contentType));
    }

    public static java.util.Set<String> allowed() {
        return new java.util.TreeSet<>(ALLOWED.keySet());
    }

    /** Whether the bytes really are of the claimed (allowed) type. */
    public static boolean contentMatches(String contentType, byte[] data) {
        Predicate<byte[]> check = ALLOWED.get(normalise(contentType));
        return check != null && check.test(data);
    }

    private static boolean startsWith(byte[] data, int... magic) {
        if (data.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((data[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isUtf8Text(byte[] data) {
        for (byte b : data) {
            if (b == 0) {
                return false;
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(data));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** A file name safe to show and to put in a Content-Disposition header: no path, no control characters. */
    public static String safeFilename(String name) {
        String base = name == null ? "" : name.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1).replaceAll("[\\p{Cntrl}\"]", "_").strip();
        if (base.isEmpty() || base.equals(".") || base.equals("..")) {
            return "attachment";
        }
        return base.length() > 200 ? base.substring(base.length() - 200) : base;
    }
}
