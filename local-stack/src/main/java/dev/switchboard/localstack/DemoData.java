package dev.switchboard.localstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Seeds the local run with demo data through the services' own APIs, as its users would: signs
 * in the demo users with the gateway's dev login, opens tickets, assigns them, moves them along
 * the state machine, chats and comments. Notifications follow from the events, as in production.
 *
 * <pre>
 * java -cp local-stack.jar dev.switchboard.localstack.DemoData --state-dir DIR [--gateway URL]
 * </pre>
 *
 * Runs once per state directory (a marker file records it), so data kept between runs is not
 * seeded twice.
 */
public final class DemoData {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final String gateway;
    private final Map<String, String> tokens = new HashMap<>();
    private final Map<String, String> ids = new HashMap<>();
    private String ticketUrl;
    private String chatUrl;

    private DemoData(String gateway) {
        this.gateway = gateway;
    }

    public static void main(String[] args) throws Exception {
        Path stateDir = null;
        String gateway = "http://localhost:8080";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--state-dir" -> stateDir = Paths.get(args[++i]);
                case "--gateway" -> gateway = args[++i];
                default -> {
                    System.err.println("usage: DemoData --state-dir DIR [--gateway URL]");
                    System.exit(2);
                }
            }
        }
        if (stateDir == null) {
            System.err.println("usage: DemoData --state-dir DIR [--gateway URL]");
            System.exit(2);
        }
        Path marker = stateDir.resolve("demo-data.done");
        if (Files.exists(marker)) {
            System.out.println("[demo] demo data already seeded (" + marker + ")");
            return;
        }
        new DemoData(gateway).seed();
        Files.writeString(marker, "seeded\n");
        System.out.println("[demo] demo data seeded");
    }

    private void seed() throws Exception {
        for (String user : List.of("alice", "bob", "dana", "evan", "fran")) {
            JsonNode login = call("POST", gateway + "/api/v1/dev/login", null, Map.of("username", user), 200);
            tokens.put(user, login.path("token").asText());
            ids.put(user, login.path("user").path("id").asText());
            ticketUrl = login.path("services").path("ticket").asText() + "/api/v1";
            chatUrl = login.path("services").path("chat").asText() + "/api/v1";
        }

        String signIn = ticket("alice", "Cannot sign in after a password reset",
                "Since I reset my password this morning the login page says my session expired.", "HIGH");
        assign("dana", signIn, "dana");
        status("dana", signIn, "IN_PROGRESS");
        chat("alice", signIn, "Hi! I reset my password and now I cannot sign in at all.");
        chat("dana", signIn, "Sorry about that, Alice. Which browser are you using?");
        chat("alice", signIn, "Firefox on Windows. Chrome does the same.");
        chat("dana", signIn, "Thanks, I can reproduce it. Looking into it now.");
        comment("dana", signIn, "Looks like the SSO session cache is not cleared on reset. Checking with the auth team.",
                "INTERNAL");
        call("POST", ticketUrl + "/tickets/" + signIn + "/watchers/" + ids.get("bob"), "dana", null, 200, 201, 204);

        String invoice = ticket("alice", "Invoice shows the wrong VAT number",
                "The invoice for October lists our old VAT number.", "NORMAL");
        assign("evan", invoice, "evan");
        chat("evan", invoice, "Could you send us the correct VAT number, please?");
        status("evan", invoice, "WAITING_ON_CUSTOMER");

        String darkMode = ticket("bob", "Feature request: a dark theme", "The agent console is very bright at night.",
                "LOW");
        chat("bob", darkMode, "Would love a dark theme for the customer portal too.");

        String export = ticket("alice", "CSV export times out", "Exporting more than 10,000 rows never finishes.",
                "NORMAL");
        assign("dana", export, "dana");
        chat("dana", export, "We raised the export limit; could you try again?");
        chat("alice", export, "Works now, thank you!");
        status("dana", export, "RESOLVED");

        String codes = ticket("bob", "Two-factor codes arrive late", "SMS codes take minutes to arrive.", "URGENT");
        assign("evan", codes, "evan");
        chat("evan", codes, "Our SMS provider had an outage; it is fixed now.");
        status("evan", codes, "CLOSED");
        System.out.println("[demo] 5 tickets with chat history, an internal comment, assignments and notifications");
    }

    private String ticket(String user, String title, String description, String priority) throws IOException {
        return call("POST", ticketUrl + "/tickets", user,
                Map.of("title", title, "description", description, "priority", priority), 201).path("id").asText();
    }

    private void assign(String user, String ticketId, String assignee) throws IOException {
        call("POST", ticketUrl + "/tickets/" + ticketId + "/assignee", user, Map.of("assignee_id", ids.get(assignee)),
                200);
    }

    private void status(String user, String ticketId, String status) throws IOException {
        call("POST", ticketUrl + "/tickets/" + ticketId + "/status", user, Map.of("status", status), 200);
    }

    private void comment(String user, String ticketId, String body, String visibility) throws IOException {
        call("POST", ticketUrl + "/tickets/" + ticketId + "/comments", user,
                Map.of("body", body, "visibility", visibility), 201);
    }

    /** Posts a chat message; chat-service learns of a new ticket through Kafka, so a fresh one is retried a while. */
    private void chat(String user, String ticketId, String message) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            HttpResponse<String> response = send("POST", chatUrl + "/tickets/" + ticketId + "/messages", user,
                    Map.of("message", message));
            if (response.statusCode() == 201) {
                return;
            }
            if ((response.statusCode() != 404 && response.statusCode() != 403) || System.nanoTime() > deadline) {
                throw new IOException("chat message to " + ticketId + ": HTTP " + response.statusCode() + " "
                        + response.body());
            }
            Thread.sleep(200); // polling chat-service until its projection has the ticket, bounded by the deadline
        }
    }

    private JsonNode call(String method, String url, String user, Object body, int... expected) throws IOException {
        HttpResponse<String> response;
        try {
            response = send(method, url, user, body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        for (int status : expected) {
            if (response.statusCode() == status) {
                return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
            }
        }
        throw new IOException(method + " " + url + ": HTTP " + response.statusCode() + " " + response.body());
    }

    private HttpResponse<String> send(String method, String url, String user, Object body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (user != null) {
            request.header("Authorization", "Bearer " + tokens.get(user));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
