package dev.switchboard.gateway.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.ServiceProcess;
import dev.switchboard.testsupport.TestJwt;
import dev.switchboard.testsupport.WsClient;

/**
 * The limits of SPEC §7, each on the instances with {@link Cluster#TIGHT} limits: the connection's
 * and the user's request rate (the user's over two instances), sustained abuse (1008), connections
 * per user, message size (1009), idle timeout with the auto-ping; all reported in the stats and
 * on /q/metrics.
 */
class LimitsIT {

    private static List<JsonNode> pings(WsClient client, int count) {
        List<JsonNode> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            answers.add(client.request("ping", null));
        }
        return answers;
    }

    private static long refused(List<JsonNode> answers, String reason) {
        return answers.stream().filter(a -> a.path("type").asText().equals("error")
                && a.path("payload").path("code").asText().equals("RATE_LIMITED")
                && a.path("payload").path("message").asText().contains(reason)).count();
    }

    @Test
    void aConnectionOverItsRateIsRefusedAndStaysOpen() {
        try (WsClient client = Users.connect(Cluster.tight1(), TestJwt.agent(Users.id("fast")), "fast")) {
            List<JsonNode> answers = pings(client, 10);
            assertThat(refused(answers, "on this connection")).isGreaterThanOrEqualTo(4);
            assertThat(client.isClosed()).isFalse();
            Awaitility.await("the bucket refills").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(600))
                    .until(() -> client.request("ping", null).path("type").asText().equals("ack"));
        }
    }

    @Test
    void aUsersRateHoldsOverAllTheirConnectionsOnEveryInstance() {
        String token = TestJwt.agent(Users.id("two-tabs"));
        try (WsClient a = Users.connect(Cluster.tight1(), token, "tab-a");
                WsClient b = Users.connect(Cluster.tight2(), token, "tab-b")) {
            List<JsonNode> answers = new ArrayList<>(pings(a, 4));
            answers.addAll(pings(b, 4));
            // 8 requests, each connection within its own burst of 5, the user's burst is 6.
            assertThat(refused(answers, "from this user")).isGreaterThanOrEqualTo(1);
            assertThat(refused(answers, "on this connection")).isZero();
        }
    }

    @Test
    void sustainedAbuseClosesTheConnectionWith1008() {
        try (WsClient client = Users.connect(Cluster.tight1(), TestJwt.agent(Users.id("flood")), "flood")) {
            for (int i = 0; i < 40 && !client.isClosed(); i++) {
                client.send("ping", null);
            }
            assertThat(client.awaitClose()).isEqualTo(1008);
            assertThat(client.events("error")).anyMatch(e -> e.path("code").asText().equals("RATE_LIMITED"));
        }
    }

    @Test
    void tooManyConnectionsOfOneUserAreRefused() {
        String userId = Users.id("many-tabs");
        String token = TestJwt.agent(userId);
        List<WsClient> tabs = new ArrayList<>();
        try {
            tabs.add(Users.connect(Cluster.tight1(), token, "tab-1"));
            tabs.add(Users.connect(Cluster.tight2(), token, "tab-2"));
            tabs.add(Users.connect(Cluster.tight1(), token, "tab-3"));
            WsClient fourth = WsClient.to(Cluster.tight2().wsUrl()).bearer(token).name("tab-4").connect();
            assertThat(fourth.awaitClose()).isEqualTo(1008);
            assertThat(fourth.events("error")).anyMatch(e -> e.path("code").asText().equals("TOO_MANY_CONNECTIONS"));
            assertThat(fourth.events("connection")).isEmpty();

            tabs.remove(0).close();
            Awaitility.await("a closed tab frees its place").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(300)).until(() -> {
                        WsClient again = WsClient.to(Cluster.tight2().wsUrl()).bearer(token).name("tab-5").connect();
                        JsonNode first = again.awaitFrame(f -> f.path("type").asText().equals("connection")
                                || f.path("type").asText().equals("error"));
                        if (first.path("type").asText().equals("connection")) {
                            tabs.add(again);
                            return true;
                        }
                        again.close();
                        return false;
                    });
        } finally {
            tabs.forEach(WsClient::close);
        }
    }

    @Test
    void aMessageOverTheMaximumSizeClosesWith1009() {
        try (WsClient client = Users.connect(Cluster.gateway1(), TestJwt.agent(Users.id("big")), "big")) {
            client.sendRaw("{\"type\":\"ping\",\"payload\":{\"pad\":\"" + "x".repeat(70_000) + "\"}}");
            assertThat(client.awaitClose()).isEqualTo(1009);
        }
    }

    @Test
    void aSilentConnectionIsClosedButAPongKeepsOneOpen() throws IOException {
        ServiceProcess gateway = Cluster.tight1();
        try (WsClient answersPings = Users.connect(gateway, TestJwt.agent(Users.id("quiet")), "quiet");
                Socket raw = rawUpgrade(gateway, TestJwt.agent(Users.id("mute")))) {
            // The raw socket never answers the server's pings: closed as idle (1001) after 3 s.
            assertThat(readCloseCode(raw)).isEqualTo(1001);
            // The JDK client answers every ping with a pong, as browsers do: it stays open while sending nothing.
            assertThat(answersPings.isClosed()).isFalse();
            Awaitility.await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
                    .until(() -> !answersPings.isClosed());
        }
    }

    /**
     * Under the default limits (user 50/s, so leases of up to 5) a connection that keeps sending takes the
     * user's tokens from Redis a few at a time and spends them without a call: all its requests pass, and
     * most of them on leased tokens. (That a user's limit still holds over several connections and
     * instances with leases is e2e's RateLimitAcrossInstancesIT, under the same defaults.)
     */
    @Test
    void aConnectionThatKeepsSendingSpendsTheUsersTokensAFewAtATime() {
        long before = leasedChecks(Cluster.gateway1());
        try (WsClient client = Users.connect(Cluster.gateway1(), TestJwt.agent(Users.id("steady")), "steady")) {
            List<JsonNode> answers = pings(client, 30);
            assertThat(answers).allMatch(a -> a.path("type").asText().equals("ack"));
        }
        // 30 requests: leases of 1, 2, 4, 5, 5, ... mean 8 Redis calls and 22 leased (fewer if the host stalls
        // for over a second between two requests, when a lease runs out and the next starts at 1 again).
        assertThat(leasedChecks(Cluster.gateway1()) - before).isGreaterThanOrEqualTo(10);
    }

    private static long leasedChecks(ServiceProcess gateway) {
        JsonNode stats = WsClient.JSON.valueToTree(given().baseUri(gateway.httpUrl()).auth()
                .oauth2(Users.admin()).get("/api/v1/realtime/stats").then().statusCode(200).extract().as(Map.class));
        return stats.path("this_instance").path("rate_checks_leased").asLong();
    }

    @Test
    void theLimitsAndTheirCountersAreReported() {
        try (WsClient client = Users.connect(Cluster.tight1(), TestJwt.agent(Users.id("counted")), "counted")) {
            pings(client, 10);
        }
        JsonNode stats = WsClient.JSON.valueToTree(given().baseUri(Cluster.tight1().httpUrl()).auth()
                .oauth2(Users.admin()).get("/api/v1/realtime/stats").then().statusCode(200).extract().as(Map.class));
        assertThat(stats.path("limits").path("messages_per_second").asInt()).isEqualTo(2);
        assertThat(stats.path("limits").path("max_connections_per_user").asInt()).isEqualTo(3);
        assertThat(stats.path("limits").path("max_message_bytes").asInt()).isEqualTo(65536);
        assertThat(stats.path("this_instance").path("rate_limited_connection").asLong()).isPositive();
        String metrics = given().baseUri(Cluster.tight1().httpUrl()).get("/q/metrics").then().statusCode(200)
                .extract().asString();
        assertThat(metrics).containsPattern("switchboard_gateway_rate_limited_connection_total(\\{[^}]*\\})? [1-9]");
        assertThat(metrics).contains("switchboard_gateway_closed_slow_total", "switchboard_gateway_connections");
    }

    /** A WebSocket upgrade by hand: a client that will never answer a ping. */
    private static Socket rawUpgrade(ServiceProcess gateway, String token) throws IOException {
        URI uri = URI.create(gateway.wsUrl());
        Socket socket = new Socket(uri.getHost(), uri.getPort());
        socket.setSoTimeout(15_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /ws HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort() + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: switchboard.v1\r\nAuthorization: Bearer " + token + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("no upgrade: " + head);
            }
            head.append((char) c);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 101");
        return socket;
    }

    /** Reads server frames (unmasked) until the close frame; returns its code. */
    private static int readCloseCode(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        while (true) {
            int b0 = in.read();
            int b1 = in.read();
            if (b0 < 0 || b1 < 0) {
                return -1;
            }
            long length = b1 & 0x7f;
            if (length == 126) {
                length = (in.read() << 8) | in.read();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | in.read();
                }
            }
            byte[] payload = in.readNBytes((int) length);
            if ((b0 & 0x0f) == 8) {
                return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
            }
        }
    }
}
