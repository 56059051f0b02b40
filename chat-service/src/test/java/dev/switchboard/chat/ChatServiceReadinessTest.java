package dev.switchboard.chat;

import dev.switchboard.testsupport.DataServiceReadinessTest;
import dev.switchboard.testsupport.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The service starts against the real local stack: migrated database, Kafka reachable, ready. */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class ChatServiceReadinessTest extends DataServiceReadinessTest {
    @Override
    protected String databaseName() {
        return "chat";
    }

    @Override
    protected String openApiTitle() {
        return "Switchboard chat-service";
    }
}
