package dev.switchboard.notification;

import dev.switchboard.testsupport.DataServiceReadinessTest;
import dev.switchboard.testsupport.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The service starts against the real local stack: migrated database, Kafka reachable, ready. */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class NotificationServiceReadinessTest extends DataServiceReadinessTest {
    @Override
    protected String databaseName() {
        return "notification";
    }

    @Override
    protected String openApiTitle() {
        return "Switchboard notification-service";
    }
}
