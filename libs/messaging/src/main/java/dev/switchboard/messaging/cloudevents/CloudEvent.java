package dev.switchboard.messaging.cloudevents;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A CloudEvent 1.0 in Kafka binary mode (SPEC §4): the attributes travel as {@code ce_*} headers and
 * the record value is the JSON data. Event types are versioned, e.g.
 * {@code switchboard.ticket.created.v1}.
 *
 * @param id unique per event; consumers de-duplicate by it
 * @param type versioned event type
 * @param source the producing service, e.g. {@code /ticket-service}
 * @param subject what the event is about, e.g. the ticket id
 * @param time when the change happened
 * @param data the JSON payload
 */
public record CloudEvent(String id, String type, String source, String subject, OffsetDateTime time, String data) {
    public static final String SPEC_VERSION = "1.0";
    public static final String CONTENT_TYPE = "application/json";

    public static final String HEADER_SPEC_VERSION = "ce_specversion";
    public static final String HEADER_ID = "ce_id";
    public static final String HEADER_TYPE = "ce_type";
    public static final String HEADER_SOURCE = "ce_source";
    public static final String HEADER_SUBJECT = "ce_subject";
    public static final String HEADER_TIME = "ce_time";
    public static final String HEADER_CONTENT_TYPE = "content-type";

    public CloudEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(data, "data");
    }

    /** A new event with a random id, happening now. */
    public static CloudEvent create(String type, String source, String subject, String data) {
        return new CloudEvent(UUID.randomUUID().toString(), type, source, subject,
                OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS), data);
    }

    public Headers toKafkaHeaders() {
        RecordHeaders headers = new RecordHeaders();
        add(headers, HEADER_SPEC_VERSION, SPEC_VERSION);
        add(headers, HEADER_ID, id);
        add(headers, HEADER_TYPE, type);
        add(headers, HEADER_SOURCE, source);
        if (subject != null) {
            add(headers, HEADER_SUBJECT, subject);
        }
        add(headers, HEADER_TIME, time.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        add(headers, HEADER_CONTENT_TYPE, CONTENT_TYPE);
        return headers;
    }

    public byte[] dataBytes() {
        return data.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads an event from a record's headers and value.
     *
     * @throws InvalidCloudEventException when a required attribute is missing or malformed, so the
     *         consumer can send the record to its dead-letter topic
     */
    public static CloudEvent fromKafka(Headers headers, byte[] value) {
        String specVersion = header(headers, HEADER_SPEC_VERSION);
        if (specVersion != null && !SPEC_VERSION.equals(specVersion)) {
            throw new InvalidCloudEventException("unsupported ce_specversion " + specVersion);
        }
        String time = required(headers, HEADER_TIME);
        OffsetDateTime parsedTime;
        try {
            parsedTime = OffsetDateTime.parse(time, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (RuntimeException e) {
            throw new InvalidCloudEventException("ce_time is not an RFC 3339 time: " + time);
        }
        if (value == null) {
            throw new InvalidCloudEventException("the record has no data");
        }
        return new CloudEvent(required(headers, HEADER_ID), required(headers, HEADER_TYPE),
                required(headers, HEADER_SOURCE), header(headers, HEADER_SUBJECT), parsedTime,
                new String(value, StandardCharsets.UTF_8));
    }

    private static String required(Headers headers, String name) {
        String value = header(headers, name);
        if (value == null || value.isBlank()) {
            throw new InvalidCloudEventException("missing header " + name);
        }
        return value;
    }

    public static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static void add(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
