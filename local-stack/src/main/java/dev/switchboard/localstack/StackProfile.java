package dev.switchboard.localstack;

import java.util.List;

/**
 * The ports of one local stack. {@code run} serves {@code ./switchboard up}; {@code test} serves the
 * test suites, so both can run side by side. None of them is a server's default port, so a
 * PostgreSQL or Redis installed on the machine is never used by mistake.
 */
public enum StackProfile {
    RUN(15432, 16379, 19092, 19093, 19099),
    TEST(25432, 26379, 29092, 29093, 29099);

    /** One database per service that owns data (SPEC §1). */
    public static final List<String> DATABASES = List.of("ticket", "chat", "notification");

    /** The topics of SPEC §4. */
    public static final List<String> TOPICS = List.of(
            "switchboard.ticket-events",
            "switchboard.chat-events",
            "switchboard.notification-events",
            "switchboard.notification-requests");

    /** Where each consumer puts the records it cannot process (one per consumer and source topic). */
    public static final List<String> DEAD_LETTER_TOPICS = List.of(
            "switchboard.chat-service.ticket-events.dlq",
            "switchboard.notification-service.ticket-events.dlq",
            "switchboard.notification-service.chat-events.dlq",
            "switchboard.notification-service.notification-requests.dlq",
            "switchboard.gateway-service.ticket-events.dlq",
            "switchboard.gateway-service.chat-events.dlq",
            "switchboard.gateway-service.notification-events.dlq");

    public static final String DB_USER = "switchboard";

    public final int postgresPort;
    public final int redisPort;
    public final int kafkaPort;
    public final int kafkaControllerPort;
    /** The stack's control port: fault tests kill and restart its servers through it (see {@link StackControl}). */
    public final int controlPort;

    StackProfile(int postgresPort, int redisPort, int kafkaPort, int kafkaControllerPort, int controlPort) {
        this.controlPort = controlPort;
        this.postgresPort = postgresPort;
        this.redisPort = redisPort;
        this.kafkaPort = kafkaPort;
        this.kafkaControllerPort = kafkaControllerPort;
    }

    public static StackProfile parse(String name) {
        return valueOf(name.trim().toUpperCase());
    }

    public String kafkaBootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/" + database;
    }
}
