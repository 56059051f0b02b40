package dev.switchboard.testsupport;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/** Checks every service's start-up test makes, written once. */
public final class ServiceChecks {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ServiceChecks() {
    }

    /** {@code /q/health/ready} is UP and has an UP check whose name mentions each of {@code checkNames}. */
    public static void assertReady(String... checkNames) {
        JsonPath health = given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP")).extract().jsonPath();
        List<String> upChecks = health.getList("checks.findAll { it.status == 'UP' }.name");
        for (String name : checkNames) {
            assertThat(upChecks).as("UP readiness checks").anySatisfy(check -> assertThat(check).containsIgnoringCase(name));
        }
    }

    /** Flyway's history shows successful migrations in {@code database}, and the tables exist. */
    public static void assertMigrated(Pool pool, String database, String... tables) {
        Row current = pool.query("select current_database()").execute().await().atMost(TIMEOUT).iterator().next();
        assertThat(current.getString(0)).isEqualTo(database);
        List<String> versions = new ArrayList<>();
        pool.query("select version from flyway_schema_history where success order by installed_rank").execute()
                .await().atMost(TIMEOUT).forEach(row -> versions.add(row.getString(0)));
        assertThat(versions).contains("0.1");
        for (String table : tables) {
            Row exists = pool.query("select to_regclass('public." + table + "') is not null").execute()
                    .await().atMost(TIMEOUT).iterator().next();
            assertThat(exists.getBoolean(0)).as("table " + table + " exists").isTrue();
        }
    }

    public static void assertMetricsAndOpenApi(String title) {
        given().when().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
        given().accept("application/json").when().get("/q/openapi").then().statusCode(200)
                .body("info.title", equalTo(title));
    }
}
