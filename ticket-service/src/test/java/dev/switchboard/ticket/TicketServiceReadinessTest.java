package dev.switchboard.ticket;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.switchboard.testsupport.LocalStackResource;
import dev.switchboard.testsupport.ServiceChecks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

/** The service starts against the real local stack: migrated database, Kafka reachable, ready. */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class TicketServiceReadinessTest {
    @Inject
    Pool database;

    @Test
    void readyWithItsDatabaseAndKafka() {
        ServiceChecks.assertReady("Database", "PostgreSQL", "Kafka");
    }

    @Test
    void migrationsRanInItsOwnDatabase() {
        ServiceChecks.assertMigrated(database, "ticket", "switchboard_outbox", "switchboard_processed_event");
    }

    @Test
    void servesMetricsAndOpenApi() {
        ServiceChecks.assertMetricsAndOpenApi("Switchboard ticket-service");
    }
}
