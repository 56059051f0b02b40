package dev.switchboard.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/** Checks event data against the JSON Schemas a producer keeps in its repository (draft 2020-12, formats asserted). */
public final class EventSchemas {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EventSchemas() {
    }

    /** Fails when {@code data} does not match {@code <dir>/<type>.json}. */
    public static void assertValid(Path dir, String type, byte[] data) {
        Path file = dir.resolve(type + ".json");
        assertThat(file).as("schema for " + type).exists();
        try (InputStream in = Files.newInputStream(file)) {
            JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(in, SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
            Set<ValidationMessage> errors = schema.validate(JSON.readTree(data));
            assertThat(errors).as(type + " data " + new String(data, StandardCharsets.UTF_8)).isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The event types that have a schema in {@code dir}. */
    public static Set<String> types(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - ".json".length())).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
