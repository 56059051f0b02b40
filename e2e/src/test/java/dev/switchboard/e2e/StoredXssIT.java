package dev.switchboard.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.WsClient;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Stored XSS (issue 11). Chat text is HTML (SPEC §3: stored as written, sanitised on the way out):
 * every classic payload, sent over WebSocket and REST and edited in, comes back on every read path —
 * the send's ack, the live {@code new_message} at another participant, history over REST and
 * WebSocket, search — with no active content left. Ticket fields, comments, names and file names
 * are plain text: stored and returned exactly as written, only ever as JSON, and the attachment
 * download is never rendered by a browser (attachment, nosniff, sandbox CSP).
 */
class StoredXssIT {
    static final List<String> PAYLOADS = List.of(
            "<script>alert('xss-1')</script>",
            "<img src=x onerror=alert('xss-2')>",
            "<svg onload=alert('xss-3')>",
            "<a href=\"javascript:alert('xss-4')\">click</a>",
            "<a href=\"JaVaScRiPt:alert('xss-5')\">click</a>",
            "<a href=\"&#106;avascript:alert('xss-6')\">click</a>",
            "<iframe src=\"javascript:alert('xss-7')\"></iframe>",
            "\"><script>alert('xss-8')</script>",
            "<<script>script>alert('xss-9')<</script>/script>",
            "<div style=\"background:url(javascript:alert('xss-10'))\">x</div>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss-11')></style></mglyph></table></mtext></math>",
            "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\"></object>",
            "<b onmouseover=alert('xss-13')>bold</b>",
            "<form action=\"javascript:alert('xss-14')\"><input type=submit></form>",
            "<body onload=alert('xss-15')>",
            "<a href=\"data:text/html,<script>alert('xss-16')</script>\">x</a>",
            "<details open ontoggle=alert('xss-17')>",
            "<base href=\"javascript:/\"><a href=\"alert('xss-18')\">x</a>");

    /** Active content in HTML: script-capable elements, event handlers, script URLs. */
    static final Pattern ACTIVE = Pattern.compile("(?i)<\\s*(script|img|svg|iframe|object|embed|style|link|meta|base|form"
            + "|input|body|math|details)\\b|\\son[a-z]+\\s*=|javascript:|vbscript:|data:text/html");

    @BeforeAll
    static void suite() {
        Suite.start();
    }

    @Test
    void chatTextIsSanitisedOnEveryReadPath() {
        String customer = TestJwt.customer(Attack.id("cust"));
        String agent = TestJwt.agent(Attack.id("agent"));
        String ticketId = Attack.openTicket(customer, "XSS in chat");
        List<String> ids = new ArrayList<>();
        List<String> served = new ArrayList<>();
        try (WsClient sender = Attack.connect(customer, "sender"); WsClient reader = Attack.connect(agent, "reader")) {
            Attack.join(sender, ticketId);
            Attack.join(reader, ticketId);
            for (String payload : PAYLOADS) {
                JsonNode viaWs = sender.ack("send_message", Map.of("ticket_id", ticketId, "message", "ws " + payload))
                        .path("message");
                ids.add(viaWs.path("id").asText());
                served.add(viaWs.path("message").asText());
                JsonNode viaRest = Attack.message(customer, ticketId, "rest " + payload);
                ids.add(viaRest.path("id").asText());
                served.add(viaRest.path("message").asText());
            }
            // An edit goes through the same door.
            JsonNode edited = Attack.json(given().baseUri(Suite.chatUrl()).auth().oauth2(customer).contentType(ContentType.JSON)
                    .body(Map.of("message", "edited " + PAYLOADS.get(1))).patch("/api/v1/messages/" + ids.get(0))
                    .then().statusCode(200).extract().asString());
            served.add(edited.path("message").asText());

            for (String id : ids) {
                served.add(reader.awaitEvent("new_message", p -> p.path("message").path("id").asText().equals(id))
                        .path("payload").path("message").path("message").asText());
            }
            reader.events("message_updated").forEach(p -> served.add(p.path("message").path("message").asText()));
            JsonNode history = Attack.json(Attack.get(Suite.chatUrl(), agent,
                    "/api/v1/tickets/" + ticketId + "/messages?limit=100").asString());
            assertThat(texts(history)).hasSizeGreaterThanOrEqualTo(ids.size());
            served.addAll(texts(history));
            served.addAll(texts(reader.ack("get_messages", Map.of("ticket_id", ticketId, "limit", 100))));
            for (String q : new String[] { "alert", "click", "bold" }) {
                Attack.json(Attack.get(Suite.chatUrl(), agent, "/api/v1/tickets/" + ticketId + "/messages/search?q="
                        + URLEncoder.encode(q, StandardCharsets.UTF_8)).asString()).forEach(m -> served.addAll(texts(m)));
            }
        }
        assertThat(served).hasSizeGreaterThan(PAYLOADS.size() * 4);
        for (String html : served) {
            assertThat(ACTIVE.matcher(html).find()).as("active content served: " + html).isFalse();
        }
        System.out.println("[StoredXssIT] " + PAYLOADS.size() + " payloads x 2 ways in, " + served.size()
                + " message texts served, 0 with active content");
    }

    /** Every message text in an answer (history pages, acks, search results). */
    private static List<String> texts(JsonNode answer) {
        return answer.findValues("message").stream().filter(JsonNode::isTextual).map(JsonNode::asText).toList();
    }

    @Test
    void ticketFieldsCommentsAndNamesArePlainTextServedOnlyAsJson() {
        String payload = PAYLOADS.get(1) + PAYLOADS.get(0);
        String customerId = Attack.id("cust");
        String customer = TestJwt.token(customerId, payload, "customer");
        String agent = TestJwt.agent(Attack.id("agent"));
        String ticketId = given().baseUri(Suite.ticketUrl()).auth().oauth2(customer).contentType(ContentType.JSON)
                .body(Map.of("title", "T " + payload, "description", "D " + payload)).post("/api/v1/tickets").then()
                .statusCode(201).extract().path("id");
        Attack.comment(agent, ticketId, "C " + payload, "PUBLIC");

        List<Response> reads = List.of(
                Attack.get(Suite.ticketUrl(), customer, "/api/v1/tickets/" + ticketId),
                Attack.get(Suite.ticketUrl(), customer, "/api/v1/tickets?text=" + URLEncoder.encode("T <img", StandardCharsets.UTF_8)),
                Attack.get(Suite.ticketUrl(), customer, "/api/v1/tickets/" + ticketId + "/comments"),
                Attack.get(Suite.ticketUrl(), customer, "/api/v1/tickets/" + ticketId + "/activities"));
        for (Response read : reads) {
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(read.contentType()).startsWith("application/json");
        }
        // Stored and returned exactly as written: plain text, which clients put in the page as text.
        JsonNode ticket = Attack.json(reads.get(0).asString());
        assertThat(ticket.path("title").asText()).isEqualTo("T " + payload);
        assertThat(ticket.path("description").asText()).isEqualTo("D " + payload);
        assertThat(Attack.json(reads.get(2).asString()).findValuesAsText("body")).contains("C " + payload);
        // An error that echoes the input is JSON too, never HTML.
        Response problem = Attack.get(Suite.ticketUrl(), customer, "/api/v1/tickets/" + URLEncoder.encode(payload,
                StandardCharsets.UTF_8));
        assertThat(problem.statusCode()).isBetween(400, 499);
        assertThat(problem.contentType()).doesNotContain("html");
    }

    @Test
    void anHtmlAttachmentIsNeverServedForTheBrowserToRender() {
        String customer = TestJwt.customer(Attack.id("cust"));
        String ticketId = Attack.openTicket(customer, "XSS in attachments");
        byte[] html = "<html><script>alert('xss-file')</script></html>".getBytes(StandardCharsets.UTF_8);
        for (String type : new String[] { "text/html", "image/svg+xml", "application/xhtml+xml", "text/xml" }) {
            Response refused = given().baseUri(Suite.chatUrl()).auth().oauth2(customer)
                    .multiPart("file", "page.html", html, type).post("/api/v1/tickets/" + ticketId + "/attachments");
            assertThat(refused.statusCode()).as(type).isEqualTo(415);
        }
        // As text/plain it is accepted, and served so that no browser runs it.
        String id = given().baseUri(Suite.chatUrl()).auth().oauth2(customer)
                .multiPart("file", "<img src=x onerror=alert(1)>.html", html, "text/plain")
                .post("/api/v1/tickets/" + ticketId + "/attachments").then().statusCode(201).extract().path("id");
        Response download = Attack.get(Suite.chatUrl(), customer, "/api/v1/attachments/" + id);
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.contentType()).startsWith("text/plain");
        assertThat(download.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(download.header("Content-Disposition")).startsWith("attachment;");
        assertThat(download.header("Content-Security-Policy")).contains("sandbox");
    }

    @Test
    void theDemoPageNeverPutsServerTextIntoHtml() throws Exception {
        // The page and the client SPA teams copy: untrusted text goes in as text, never as markup.
        Path resources = Path.of("..", "gateway-service", "src", "main", "resources", "META-INF", "resources");
        List<Path> scripts;
        try (var files = Files.list(resources)) {
            scripts = files.filter(p -> p.toString().endsWith(".js") || p.toString().endsWith(".html")).toList();
        }
        assertThat(scripts).isNotEmpty();
        Pattern sink = Pattern.compile("\\.(innerHTML|outerHTML)\\s*\\+?=|insertAdjacentHTML|document\\.write|\\beval\\(|new Function\\(");
        for (Path script : scripts) {
            String code = Files.readString(script);
            assertThat(sink.matcher(code).find()).as(script + " has an HTML sink").isFalse();
        }
    }
}
