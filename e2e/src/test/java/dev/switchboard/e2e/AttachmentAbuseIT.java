package dev.switchboard.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.WsClient;
import io.restassured.response.Response;

/**
 * Attachment upload abuse (issue 11), over REST multipart and WebSocket inline attachments: over the
 * size limit (413), types off the allow-list and content that is not what it claims (415), zip and
 * gzip bombs (refused or stored as the opaque bytes they are, never unpacked), and file names built
 * to escape a directory, inject a header or hide an extension. Every refusal is a problem+json; the
 * service stays ready; an accepted file comes back byte for byte under a harmless name.
 */
class AttachmentAbuseIT {
    private static final byte[] PNG = { (byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D };
    private static String customer;
    private static String ticketId;

    @BeforeAll
    static void ticket() {
        Suite.start();
        customer = TestJwt.customer(Attack.id("uploader"));
        ticketId = Attack.openTicket(customer, "Attachment abuse");
    }

    private static Response upload(String filename, byte[] data, String contentType) {
        return given().baseUri(Suite.chatUrl()).auth().oauth2(customer).multiPart("file", filename, data, contentType)
                .post("/api/v1/tickets/" + ticketId + "/attachments");
    }

    private static void assertProblem(Response response, int status) {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(Attack.json(response.asString()).path("status").asInt()).isEqualTo(status);
    }

    private static byte[] png(int size) {
        byte[] data = new byte[size];
        System.arraycopy(PNG, 0, data, 0, PNG.length);
        return data;
    }

    @Test
    void overTheSizeLimitIsRefusedWith413() {
        assertThat(upload("max.png", png(10 * 1024 * 1024), "image/png").statusCode()).isEqualTo(201);
        assertProblem(upload("over.png", png(10 * 1024 * 1024 + 1), "image/png"), 413);
        // Over the HTTP body limit too: refused before it is read into memory.
        Response huge = upload("huge.png", png(16 * 1024 * 1024), "image/png");
        assertThat(huge.statusCode()).isEqualTo(413);
        given().baseUri(Suite.chatUrl()).get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void typesOffTheListAndContentThatLiesAreRefusedWith415() throws IOException {
        byte[] exe = "MZ\u0090\u0000this program cannot be run in DOS mode".getBytes(StandardCharsets.ISO_8859_1);
        Map<String, Object[]> refused = Map.of(
                "zip", new Object[] { "a.zip", zip(1), "application/zip" },
                "exe", new Object[] { "a.exe", exe, "application/x-msdownload" },
                "exe claimed png", new Object[] { "a.png", exe, "image/png" },
                "zip claimed pdf", new Object[] { "a.pdf", zip(1), "application/pdf" },
                "html", new Object[] { "a.html", "<script>1</script>".getBytes(), "text/html" },
                "svg", new Object[] { "a.svg", "<svg onload=alert(1)/>".getBytes(), "image/svg+xml" },
                "no type", new Object[] { "a", PNG, "application/octet-stream" },
                "binary claimed text", new Object[] { "a.txt", new byte[] { 0, 1, 2, (byte) 0xff }, "text/plain" },
                "empty claimed png", new Object[] { "a.png", new byte[0], "image/png" });
        refused.forEach((what, upload) -> {
            Response answer = upload((String) upload[0], (byte[]) upload[1], (String) upload[2]);
            assertThat(answer.statusCode()).as(what + ": " + answer.asString()).isEqualTo(415);
            assertProblem(answer, 415);
        });
        // A parameter on an allowed type is fine; the type is what counts.
        assertThat(upload("ok.png", PNG, "image/png; name=ok.png").statusCode()).isEqualTo(201);
    }

    @Test
    void bombsAreNeverUnpacked() throws IOException {
        // A zip of a highly compressible 200 MB file: refused by type whatever it claims.
        byte[] bomb = zip(200);
        assertThat(bomb.length).isLessThan(1024 * 1024);
        for (String type : List.of("application/zip", "application/x-zip-compressed", "application/pdf", "image/png", "text/plain")) {
            assertThat(upload("bomb.zip", bomb, type).statusCode()).as(type).isEqualTo(415);
        }
        // A gzip bomb as the request's Content-Encoding: not inflated by the server (decompression is off).
        byte[] gzip = gzip(200);
        Response encoded = given().baseUri(Suite.chatUrl()).auth().oauth2(customer).header("Content-Encoding", "gzip")
                .contentType("application/json").body(gzip).post("/api/v1/tickets/" + ticketId + "/messages");
        assertThat(encoded.statusCode()).isBetween(400, 499);
        // A "PNG" whose header claims 65535 x 65535 pixels: stored and served as bytes, never decoded.
        byte[] pixelBomb = Arrays.copyOf(PNG, 33);
        pixelBomb[12] = 'I';
        pixelBomb[13] = 'H';
        pixelBomb[14] = 'D';
        pixelBomb[15] = 'R';
        pixelBomb[18] = (byte) 0xff;
        pixelBomb[19] = (byte) 0xff;
        pixelBomb[22] = (byte) 0xff;
        pixelBomb[23] = (byte) 0xff;
        String id = upload("pixels.png", pixelBomb, "image/png").then().statusCode(201).extract().path("id");
        assertThat(Attack.get(Suite.chatUrl(), customer, "/api/v1/attachments/" + id).asByteArray()).isEqualTo(pixelBomb);
        given().baseUri(Suite.chatUrl()).get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void fileNamesCannotEscapeInjectOrHide() {
        List<String> names = List.of("../../../../etc/passwd", "..\\..\\windows\\system32\\config\\sam", "/etc/shadow",
                "C:\\boot.ini", "a\u0000.png.exe", "x\r\nSet-Cookie: session=stolen", "quote\"; filename=evil.exe",
                "gpj.exe\u202e.png", "😀 résumé ✓.txt", "..", ".", "", "  ", "x".repeat(5000) + ".txt",
                "%2e%2e%2fetc%2fpasswd", "file:///etc/passwd", "CON", "a/b/c/../../../../d.txt");
        for (String name : names) {
            Response stored = upload(name, "plain text".getBytes(StandardCharsets.UTF_8), "text/plain");
            assertThat(stored.statusCode()).as(name).isEqualTo(201);
            JsonNode attachment = Attack.json(stored.asString());
            String saved = attachment.path("filename").asText();
            assertThat(saved).as(name).isNotBlank().doesNotContain("/").doesNotContain("\\").doesNotContain("\"")
                    .doesNotContain("\r").doesNotContain("\n").doesNotContain("\u0000").isNotIn(".", "..");
            assertThat(saved.length()).as(name).isLessThanOrEqualTo(200);
            Response download = Attack.get(Suite.chatUrl(), customer, "/api/v1/attachments/" + attachment.path("id").asText());
            assertThat(download.statusCode()).as(name + " download").isEqualTo(200);
            assertThat(download.asString()).isEqualTo("plain text");
            assertThat(download.header("Set-Cookie")).as(name).isNull();
            String disposition = download.header("Content-Disposition");
            assertThat(disposition).as(name).startsWith("attachment;").doesNotContain("\r").doesNotContain("\n")
                    .doesNotContain("evil.exe\"");
            assertThat(download.header("X-Content-Type-Options")).isEqualTo("nosniff");
        }
    }

    @Test
    void inlineAttachmentsOverTheWebSocketAreCheckedLikeUploads() throws IOException {
        try (WsClient client = Attack.connect(customer, "inline")) {
            Map<String, Object> bad = Map.of(
                    "not base64", Map.of("filename", "a.png", "content_type", "image/png", "data", "%%%not base64%%%"),
                    "type off the list", Map.of("filename", "a.zip", "content_type", "application/zip",
                            "data", Base64.getEncoder().encodeToString(zip(1))),
                    "content that lies", Map.of("filename", "a.png", "content_type", "image/png",
                            "data", Base64.getEncoder().encodeToString("MZ not a png".getBytes())),
                    "a number", 42,
                    "another ticket's id", java.util.UUID.randomUUID().toString());
            for (Map.Entry<String, Object> attachment : bad.entrySet()) {
                JsonNode answer = client.request("send_message", Map.of("ticket_id", ticketId, "message", "see attached",
                        "message_type", "FILE", "attachments", List.of(attachment.getValue())));
                assertThat(answer.path("type").asText()).as(attachment.getKey() + ": " + answer).isEqualTo("error");
                assertThat(answer.path("payload").path("message").asText()).isNotBlank();
            }
            JsonNode tooMany = client.request("send_message", Map.of("ticket_id", ticketId, "message", "many",
                    "attachments", java.util.Collections.nCopies(11, Map.of("filename", "a.png", "content_type", "image/png",
                            "data", Base64.getEncoder().encodeToString(PNG)))));
            assertThat(tooMany.path("type").asText()).as(tooMany.toString()).isEqualTo("error");
            JsonNode good = client.ack("send_message", Map.of("ticket_id", ticketId, "message", "a picture", "message_type",
                    "IMAGE", "attachments", List.of(Map.of("filename", "../../x.png", "content_type", "image/png",
                            "data", Base64.getEncoder().encodeToString(PNG)))));
            assertThat(good.toString()).doesNotContain("../");
            assertThat(client.isClosed()).isFalse();
        }
    }

    /** A zip with one entry of {@code megabytes} MB of zeros: tiny packed, huge unpacked. */
    private static byte[] zip(int megabytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("zeros.bin"));
            byte[] block = new byte[1024 * 1024];
            for (int i = 0; i < megabytes; i++) {
                zip.write(block);
            }
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    private static byte[] gzip(int megabytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            byte[] block = new byte[1024 * 1024];
            Arrays.fill(block, (byte) ' ');
            for (int i = 0; i < megabytes; i++) {
                gzip.write(block);
            }
        }
        return out.toByteArray();
    }
}
