package dev.switchboard.testsupport;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.vertx.mutiny.sqlclient.Pool;

/**
 * The start-up checks of a service that owns a database: ready with its database and Kafka, its
 * migrations run in its own database, metrics and OpenAPI served. A service's test extends it,
 * annotated {@code @QuarkusTest} and with {@link LocalStackResource}.
 */
public abstract class DataServiceReadinessTest {
    @Inject
    Pool database;

    /** The service's own database, e.g. {@code ticket}. */
    protected abstract String databaseName();

    /** The title of the service's OpenAPI document. */
    protected abstract String openApiTitle();

    @Test
    void readyWithItsDatabaseAndKafka() {
        ServiceChecks.assertReady("Database", "PostgreSQL", "Kafka");
    }

    @Test
    void migrationsRanInItsOwnDatabase() {
        ServiceChecks.assertMigrated(database, databaseName(), "switchboard_outbox", "switchboard_processed_event");
    }

    @Test
    void servesMetricsAndOpenApi() {
        ServiceChecks.assertMetricsAndOpenApi(openApiTitle());
    }
}
