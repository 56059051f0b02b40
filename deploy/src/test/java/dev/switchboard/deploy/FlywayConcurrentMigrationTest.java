package dev.switchboard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Several replicas of a service start at once and each runs its Flyway migrations at start-up
 * (quarkus.flyway.migrate-at-start). Shown here on a real PostgreSQL 17 (zonky's binaries, as the
 * local stack uses, on a free port): three migrations of each service's locations run at the same
 * moment against a fresh database, logged in as the role init-databases.sh makes for the service,
 * and every version is applied exactly once. Flyway serialises them with a PostgreSQL advisory lock.
 */
class FlywayConcurrentMigrationTest {
    private static final int REPLICAS = 3;
    private static final Pattern SCRIPT_SQL = Pattern.compile("<<'SQL'\\n(.*?)\\nSQL\\n", Pattern.DOTALL);
    private static final Pattern VERSIONED = Pattern.compile("V([0-9_.]+)__.+\\.sql");

    /** Flyway's progress lines, times three replicas, say nothing the assertions do not. */
    private static final java.util.logging.Logger FLYWAY_LOG = java.util.logging.Logger.getLogger("org.flywaydb");

    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        FLYWAY_LOG.setLevel(java.util.logging.Level.WARNING);
        Path dir = Files.createTempDirectory("pg");
        postgres = EmbeddedPostgres.builder().setOverrideWorkingDirectory(dir.toFile()).setCleanDataDirectory(true).start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    static Stream<String> servicesWithMigrations() {
        return Repo.serviceModules().stream().filter(s -> !ServiceModule.of(s).migrationDirs().isEmpty());
    }

    @ParameterizedTest
    @MethodSource("servicesWithMigrations")
    void replicasThatMigrateAtOnceApplyEachVersionOnce(String service) throws Exception {
        ServiceModule module = ServiceModule.of(service);
        assertThat(module.prodValue("quarkus.flyway.migrate-at-start", "false")).isEqualTo("true");
        String jdbcUrl = module.prodValue("quarkus.datasource.jdbc.url", null);
        String database = jdbcUrl.substring(jdbcUrl.lastIndexOf('/') + 1);
        String password = UUID.randomUUID().toString();
        createDatabaseAsInitDatabasesDoes(database, password);

        List<Path> dirs = module.migrationDirs();
        Map<String, String> expected = new TreeMap<>();
        for (Path dir : dirs) {
            try (Stream<Path> files = Files.list(dir)) {
                files.forEach(f -> {
                    Matcher v = VERSIONED.matcher(f.getFileName().toString());
                    if (v.matches()) {
                        assertThat(expected.put(v.group(1).replace('_', '.'), f.getFileName().toString())).as("version %s twice", v.group(1)).isNull();
                    }
                });
            }
        }
        assertThat(expected).as("%s migrations in %s", service, dirs).isNotEmpty();

        String url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database;
        String[] locations = dirs.stream().map(d -> "filesystem:" + d).toArray(String[]::new);
        CyclicBarrier start = new CyclicBarrier(REPLICAS);
        CyclicBarrier inMigrate = new CyclicBarrier(REPLICAS);
        ExecutorService replicas = Executors.newFixedThreadPool(REPLICAS);
        List<MigrateResult> results = new ArrayList<>();
        try {
            List<Future<MigrateResult>> running = new ArrayList<>();
            for (int i = 0; i < REPLICAS; i++) {
                running.add(replicas.submit(() -> {
                    Flyway flyway = Flyway.configure()
                            .dataSource(url, database, password)
                            .locations(locations)
                            .callbacks(new AwaitOthers(inMigrate))
                            .load();
                    start.await(60, TimeUnit.SECONDS);
                    return flyway.migrate();
                }));
            }
            for (Future<MigrateResult> r : running) {
                results.add(r.get(120, TimeUnit.SECONDS));
            }
        } finally {
            replicas.shutdownNow();
        }

        assertThat(results).as("every replica's migrate").allMatch(r -> r.success);
        assertThat(results.stream().mapToInt(r -> r.migrationsExecuted).sum()).as("migrations run over all replicas")
                .isEqualTo(expected.size());
        try (Connection c = DriverManager.getConnection(url, database, password); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select version, count(*), bool_and(success) from flyway_schema_history"
                        + " where version is not null group by version")) {
            Map<String, Integer> applied = new TreeMap<>();
            while (rs.next()) {
                applied.put(rs.getString(1), rs.getInt(2));
                assertThat(rs.getBoolean(3)).as("version %s succeeded", rs.getString(1)).isTrue();
            }
            assertThat(applied.keySet()).isEqualTo(expected.keySet());
            assertThat(applied.values()).as("times each version was applied").allMatch(n -> n == 1);
        }
    }

    /**
     * The shared migrations (db/messaging, versions 0.x) sort before each service's own; one added later
     * (as 0.3 was) is below versions a running database has applied already. A service's own start-up
     * configuration must still apply it: here a database migrated without the newest shared migration, then
     * migrated as the service does at start.
     */
    @ParameterizedTest
    @MethodSource("servicesWithMigrations")
    void aSharedMigrationAddedLaterIsAppliedToADatabaseMigratedBeforeIt(String service) throws Exception {
        ServiceModule module = ServiceModule.of(service);
        String jdbcUrl = module.prodValue("quarkus.datasource.jdbc.url", null);
        String database = jdbcUrl.substring(jdbcUrl.lastIndexOf('/') + 1) + "_upgrade";
        String password = UUID.randomUUID().toString();
        createDatabaseAsInitDatabasesDoes(database, password);
        String url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database;

        List<Path> dirs = module.migrationDirs();
        Path shared = dirs.stream().filter(d -> d.endsWith(Path.of("db", "messaging"))).findFirst()
                .orElseThrow(() -> new AssertionError(service + " does not migrate db/messaging: " + dirs));
        List<Path> all = new ArrayList<>();
        for (Path dir : dirs) {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> VERSIONED.matcher(f.getFileName().toString()).matches()).forEach(all::add);
            }
        }
        Path newestShared = all.stream().filter(f -> f.getParent().equals(shared))
                .max(java.util.Comparator.comparing(FlywayConcurrentMigrationTest::version)).orElseThrow();
        MigrationVersion newestOwn = all.stream().filter(f -> !f.getParent().equals(shared))
                .map(FlywayConcurrentMigrationTest::version).max(java.util.Comparator.naturalOrder()).orElseThrow();
        assertThat(version(newestShared)).as("the newest shared migration sorts below the service's own").isLessThan(newestOwn);

        Path before = Files.createTempDirectory("migrations-before");
        for (Path f : all) {
            if (!f.equals(newestShared)) {
                Files.copy(f, before.resolve(f.getFileName()));
            }
        }
        MigrateResult old = Flyway.configure().dataSource(url, database, password)
                .locations("filesystem:" + before).load().migrate();
        assertThat(old.success).isTrue();
        assertThat(old.targetSchemaVersion).isEqualTo(newestOwn.getVersion());

        MigrateResult upgrade = Flyway.configure().dataSource(url, database, password)
                .locations(dirs.stream().map(d -> "filesystem:" + d).toArray(String[]::new))
                .outOfOrder(Boolean.parseBoolean(module.prodValue("quarkus.flyway.out-of-order", "false")))
                .load().migrate();
        assertThat(upgrade.success).isTrue();
        assertThat(upgrade.migrations).extracting(m -> m.version).containsExactly(version(newestShared).getVersion());
    }

    private static MigrationVersion version(Path migration) {
        Matcher v = VERSIONED.matcher(migration.getFileName().toString());
        assertThat(v.matches()).isTrue();
        return MigrationVersion.fromVersion(v.group(1).replace('_', '.'));
    }

    /** The statements of deploy/k8s/base/init-databases.sh, with psql's :"name" and :'password' filled in as psql does. */
    private static void createDatabaseAsInitDatabasesDoes(String name, String password) throws SQLException {
        Matcher sql = SCRIPT_SQL.matcher(Repo.read(Repo.K8S.resolve("base/init-databases.sh")));
        assertThat(sql.find()).as("the SQL of init-databases.sh").isTrue();
        String statements = sql.group(1)
                .replace(":\"name\"", "\"" + name + "\"")
                .replace(":'password'", "'" + password.replace("'", "''") + "'");
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            for (String statement : statements.split(";")) {
                if (!statement.isBlank()) {
                    st.execute(statement);
                }
            }
        }
    }

    /** Holds each replica at the start of its migrate until all are there, so that they really run at once. */
    private record AwaitOthers(CyclicBarrier barrier) implements Callback {
        @Override
        public boolean supports(Event event, Context context) {
            return event == Event.BEFORE_MIGRATE;
        }

        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return true;
        }

        @Override
        public void handle(Event event, Context context) {
            try {
                barrier.await(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the replicas did not all reach migrate", e);
            }
        }

        @Override
        public String getCallbackName() {
            return "await-other-replicas";
        }
    }
}
