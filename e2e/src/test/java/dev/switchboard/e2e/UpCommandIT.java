package dev.switchboard.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;

/**
 * README command 1 as a newcomer runs it: {@code ./switchboard up} (here with {@code --no-build}:
 * the build already packaged everything) brings up the stack, the four services and the demo
 * data, and prints the demo page; Ctrl-C (SIGINT to its process group, as a terminal sends it)
 * leaves no process and no open port behind.
 */
class UpCommandIT {
    private static final int[] PORTS = { 8080, 8081, 8082, 8083, 15432, 16379, 19092, 19093, 19099 };

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Processes whose command line names this checkout's local-run state: services, watchdogs, stack, servers. */
    private static List<String> leftovers(Path root) throws IOException {
        String state = root.resolve(".switchboard").resolve("run").toString();
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Paths.get("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmdline.contains(state) && !cmdline.contains("UpCommandIT")) {
                        found.add(proc.getFileName() + ": " + cmdline);
                    }
                } catch (IOException gone) {
                    // the process ended meanwhile
                }
            }
        }
        return found;
    }

    @Test
    void upBringsTheSuiteWithDemoDataAndCtrlCLeavesNothingBehind() throws Exception {
        Path root = Paths.get("..").toAbsolutePath().normalize();
        for (int port : PORTS) {
            assertThat(listening(port)).as("port %d is free before the run (is ./switchboard up running?)", port).isFalse();
        }
        Path output = Paths.get("target", "switchboard-up.log").toAbsolutePath();
        // A shell cannot trap a signal it was started with ignored, and a test run launched in the background of a
        // shell without job control (nohup cmd &) hands SIGINT down ignored: perl (Debian's perl-base, always
        // there) puts SIGINT back to its default before the script starts, as a terminal would have it.
        Process up = new ProcessBuilder("setsid", "perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die $!", "bash",
                root.resolve("switchboard").toString(), "up", "--no-build")
                .directory(root.toFile()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            Awaitility.await("./switchboard up prints that Switchboard is up").atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofMillis(500))
                    .failFast("./switchboard up exited", () -> !up.isAlive())
                    .until(() -> Files.readString(output).contains("Switchboard is up."));
            String printed = Files.readString(output);
            assertThat(printed).contains("http://localhost:8080/").contains("alice").contains("dana");

            // The demo page, the dev login and the demo data.
            assertThat(given().baseUri("http://localhost:8080").get("/").then().statusCode(200).extract().asString())
                    .contains("Switchboard").contains("app.js");
            assertThat(given().baseUri("http://localhost:8080").get("/switchboard-client.js").then().statusCode(200)
                    .extract().asString()).contains("export class SwitchboardClient");
            String token = given().baseUri("http://localhost:8080").contentType(ContentType.JSON)
                    .body(Map.of("username", "alice")).post("/api/v1/dev/login").then().statusCode(200).extract().path("token");
            String tickets = given().baseUri("http://localhost:8081").auth().oauth2(token).get("/api/v1/tickets").then()
                    .statusCode(200).extract().asString();
            assertThat(tickets).contains("Cannot sign in after a password reset").contains("CSV export times out")
                    .doesNotContain("Feature request: a dark theme"); // Bob's ticket: not Alice's to see
            String history = given().baseUri("http://localhost:8082").auth().oauth2(token)
                    .get("/api/v1/tickets/" + given().baseUri("http://localhost:8081").auth().oauth2(token)
                            .queryParam("text", "password reset").get("/api/v1/tickets").then().extract()
                            .path("items[0].id") + "/messages")
                    .then().statusCode(200).extract().asString();
            assertThat(history).contains("Which browser are you using?");
            // CORS: the demo page's origin may call the services.
            given().baseUri("http://localhost:8081").header("Origin", "http://localhost:8080")
                    .header("Access-Control-Request-Method", "GET").header("Access-Control-Request-Headers", "authorization")
                    .options("/api/v1/tickets").then().header("Access-Control-Allow-Origin", "http://localhost:8080");
        } finally {
            // Ctrl-C: SIGINT to the whole process group, as a terminal does.
            new ProcessBuilder("kill", "-INT", "--", "-" + up.pid()).inheritIO().start().waitFor();
        }
        Awaitility.await("./switchboard up exits after Ctrl-C").atMost(Duration.ofSeconds(90)).until(() -> !up.isAlive());
        assertThat(Files.readString(output)).contains("stopped");
        Awaitility.await("no process of the local run is left").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(500)).until(() -> leftovers(root).isEmpty());
        for (int port : PORTS) {
            assertThat(listening(port)).as("port %d is closed after Ctrl-C", port).isFalse();
        }
    }
}
