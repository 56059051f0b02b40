package dev.switchboard.chat;

import static dev.switchboard.chat.ChatFixture.agent;
import static dev.switchboard.chat.ChatFixture.as;
import static dev.switchboard.chat.ChatFixture.customer;
import static dev.switchboard.chat.ChatFixture.newTicket;
import static dev.switchboard.chat.ChatFixture.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.switchboard.testsupport.LocalStackResource;
import dev.switchboard.testsupport.TicketFeed;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class ChatAccessAndAttachmentsTest {
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R', 1, 2, 3};

    static Response upload(String token, java.util.UUID ticketId, String filename, String type, byte[] data) {
        return given().auth().oauth2(token).multiPart("file", filename, data, type)
                .post("/api/v1/tickets/" + ticketId + "/attachments");
    }

    @Test
    void aCustomerWhoIsNotAParticipantGets404Everywhere() {
        String me = user("cust");
        TicketFeed.Ticket t = newTicket(me);
        String secret = "secret" + Long.toHexString(System.nanoTime());
        ChatFixture.send(customer(me), t.id(), "the " + secret + " is here");
        String attachment = upload(customer(me), t.id(), "a.png", "image/png", PNG).then().statusCode(201).extract().path("id");
        String outsider = customer(user("other"));
        String base = "/api/v1/tickets/" + t.id();
        as(outsider).get(base + "/messages").then().statusCode(404).body("type", equalTo("/problems/not-found"));
        as(outsider).body(Map.of("message", "let me in")).post(base + "/messages").then().statusCode(404);
        upload(outsider, t.id(), "b.png", "image/png", PNG).then().statusCode(404);
        as(outsider).get("/api/v1/attachments/" + attachment).then().statusCode(404);
        as(outsider).queryParam("q", secret).get(base + "/messages/search").then().statusCode(404);
        as(outsider).queryParam("q", secret).get("/api/v1/messages/search").then().statusCode(200).body("size()", equalTo(0));
        as(outsider).get(base + "/participants").then().statusCode(404);
        as(outsider).body(Map.of("message_id", attachment)).post(base + "/read").then().statusCode(404);
    }

    @Test
    void accessEndsWhenTheParticipantIsRemoved() {
        String requester = user("cust");
        String watcher = user("watch");
        TicketFeed.Ticket t = newTicket(requester, watcher);
        String url = "/api/v1/tickets/" + t.id() + "/messages";
        as(customer(watcher)).get(url).then().statusCode(200);
        TicketFeed.Ticket after = t.next(null, List.of(), "OPEN");
        ChatFixture.publish("switchboard.ticket.participant_removed.v1", after, Map.of("user_id", watcher, "role", "WATCHER"));
        Awaitility.await().atMost(ChatFixture.TIMEOUT).until(() -> as(customer(watcher)).get(url).statusCode() == 404);
        as(customer(watcher)).body(Map.of("message", "still here?")).post(url).then().statusCode(404);
        as(customer(requester)).get(url).then().statusCode(200);
    }

    @Test
    void attachmentsAreCheckedStoredAndServedSafely() {
        String me = user("cust");
        String token = customer(me);
        TicketFeed.Ticket t = newTicket(me);
        byte[] tooBig = new byte[10 * 1024 * 1024 + 1];
        System.arraycopy(PNG, 0, tooBig, 0, PNG.length);
        upload(token, t.id(), "big.png", "image/png", tooBig).then().statusCode(413).contentType("application/problem+json");
        byte[] exactly = Arrays.copyOf(tooBig, 10 * 1024 * 1024);
        upload(token, t.id(), "max.png", "image/png", exactly).then().statusCode(201).body("size", equalTo(10 * 1024 * 1024));

        byte[] exe = {'M', 'Z', (byte) 0x90, 0, 3, 0, 0, 0, 4, 0};
        upload(token, t.id(), "cat.png", "image/png", exe).then().statusCode(415).body("type", equalTo("/problems/content-mismatch"));
        upload(token, t.id(), "setup.exe", "application/x-msdownload", exe).then().statusCode(415)
                .body("type", equalTo("/problems/unsupported-type"));
        upload(token, t.id(), "page.html", "text/html", "<script>x</script>".getBytes()).then().statusCode(415);

        String id = upload(token, t.id(), "../../etc/diagram.png", "image/png", PNG).then().statusCode(201)
                .body("filename", equalTo("diagram.png")).extract().path("id");
        Response download = as(agent(user("agent"))).get("/api/v1/attachments/" + id);
        download.then().statusCode(200).header("Content-Type", "image/png")
                .header("Content-Disposition", "attachment; filename=\"diagram.png\"")
                .header("X-Content-Type-Options", "nosniff");
        assertThat(download.asByteArray()).isEqualTo(PNG);

        String url = "/api/v1/tickets/" + t.id() + "/messages";
        as(token).body(Map.of("message", "see picture", "message_type", "IMAGE", "attachments", List.of(id)))
                .post(url).then().statusCode(201).body("attachments[0].id", equalTo(id))
                .body("attachments[0].url", equalTo("/api/v1/attachments/" + id));
        Map<String, Object> inline = Map.of("filename", "inline.png", "content_type", "image/png",
                "data", Base64.getEncoder().encodeToString(PNG));
        String inlineId = as(token).body(Map.of("message", "", "message_type", "FILE", "attachments", List.of(inline)))
                .post(url).then().statusCode(201).body("attachments[0].filename", equalTo("inline.png"))
                .extract().path("attachments[0].id");
        assertThat(as(token).get("/api/v1/attachments/" + inlineId).asByteArray()).isEqualTo(PNG);
        Map<String, Object> badInline = Map.of("filename", "x.png", "content_type", "image/png",
                "data", Base64.getEncoder().encodeToString(exe));
        as(token).body(Map.of("message", "x", "message_type", "FILE", "attachments", List.of(badInline))).post(url)
                .then().statusCode(415);
        TicketFeed.Ticket other = newTicket(me);
        as(token).body(Map.of("message", "x", "message_type", "FILE", "attachments", List.of(id)))
                .post("/api/v1/tickets/" + other.id() + "/messages").then().statusCode(400);
    }
}
