package dev.switchboard.gateway.security;

import java.text.MessageFormat;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.regex.Pattern;

import org.jboss.logmanager.ExtLogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * Seed clients put their token in the URL ({@code /ws?token=...}); this filter makes sure no log
 * line carries it, whichever library logs the URL: {@code token=...} and anything shaped like a JWT
 * are replaced before the record reaches a handler.
 */
@LoggingFilter(name = "token-redaction")
public final class TokenRedactingFilter implements Filter {
    private static final Pattern TOKEN = Pattern.compile(
            "(?i)(token=)[^&\\s\"']+|eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*");

    @Override
    public boolean isLoggable(LogRecord record) {
        String message = formatted(record);
        if (message != null && (message.contains("token=") || message.contains("TOKEN=") || message.contains("eyJ"))) {
            String clean = redact(message);
            record.setMessage(clean);
            record.setParameters(null);
            if (record instanceof ExtLogRecord ext) {
                ext.setMessage(clean, ExtLogRecord.FormatStyle.NO_FORMAT);
            }
        }
        Throwable thrown = record.getThrown();
        if (thrown != null && thrown.getMessage() != null && TOKEN.matcher(thrown.getMessage()).find()) {
            record.setThrown(new RedactedException(thrown));
        }
        return true;
    }

    public static String redact(String text) {
        return TOKEN.matcher(text).replaceAll(m -> m.group(1) != null ? "token=[REDACTED]" : "[REDACTED-JWT]");
    }

    private static String formatted(LogRecord record) {
        if (record instanceof ExtLogRecord ext) {
            return ext.getFormattedMessage();
        }
        Object[] parameters = record.getParameters();
        String message = record.getMessage();
        if (message == null || parameters == null || parameters.length == 0) {
            return message;
        }
        try {
            return MessageFormat.format(message, parameters);
        } catch (IllegalArgumentException e) {
            return message;
        }
    }

    /** Keeps the type and stack of a logged exception whose message carried a token. */
    static final class RedactedException extends RuntimeException {
        RedactedException(Throwable original) {
            super(original.getClass().getName() + ": " + redact(original.getMessage()), null, false, true);
            setStackTrace(original.getStackTrace());
        }
    }
}
