package dev.switchboard.gateway.client;

import java.net.URI;
import java.nio.charset.StandardCharsets;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.RawValue;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * chat-service's {@code POST /api/v1/tickets/{id}/messages} — the one service call on a chat
 * message's latency path — on a plain Vert.x HTTP client. The request goes out as the bytes the
 * gateway wrote and the stored message comes back as the bytes chat-service wrote, which go into the
 * {@code ack} as they are ({@link RawValue}): no JSON tree of the answer is built and written again,
 * and none of the REST client's per-call machinery runs (at 1,000 messages/s JFR put about a fifth
 * of the gateway's samples in it). Same URL and timeouts as the REST client's
 * ({@code quarkus.rest-client.chat-service.*}), same answers: a refusal becomes the error
 * {@link ServiceCalls#refusal} makes of it, a 5xx or a failed connection a {@link ServiceCalls.ServiceFailure}.
 */
@ApplicationScoped
public class MessageSender {
    private final HttpClient client;
    private final String host;
    private final int port;
    private final String basePath;
    private final long readTimeoutMs;
    private final ObjectMapper json;

    MessageSender(Vertx vertx, ObjectMapper json, @ConfigProperty(name = "quarkus.rest-client.chat-service.url") URI url,
            @ConfigProperty(name = "quarkus.rest-client.chat-service.connect-timeout", defaultValue = "2000") int connectTimeoutMs,
            @ConfigProperty(name = "quarkus.rest-client.chat-service.read-timeout", defaultValue = "5000") long readTimeoutMs) {
        this.json = json;
        boolean tls = "https".equalsIgnoreCase(url.getScheme());
        this.host = url.getHost();
        this.port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.readTimeoutMs = readTimeoutMs;
        this.client = vertx.createHttpClient(new HttpClientOptions().setSsl(tls).setKeepAlive(true).setMaxPoolSize(50)
                .setConnectTimeout(connectTimeoutMs).setName("chat-service-messages"));
    }

    /**
     * Stores a message; the item is the stored message's JSON as chat-service wrote it.
     *
     * @param ticketId a ticket id already checked to be a UUID (it goes into the path as it is)
     */
    public Uni<RawValue> send(String authorization, String ticketId, byte[] body) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port)
                .setURI(basePath + "/api/v1/tickets/" + ticketId + "/messages").setTimeout(readTimeoutMs)
                .putHeader(HttpHeaders.AUTHORIZATION, authorization)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.ACCEPT, "application/json");
        var answer = client.request(options)
                .compose(request -> request.send(Buffer.buffer(body)))
                .compose(response -> response.body().map(payload -> new Answer(response.statusCode(), payload)));
        return Uni.createFrom().completionStage(answer.toCompletionStage())
                .onFailure().transform(e -> new ServiceCalls.ServiceFailure("chat-service: " + e))
                .map(this::stored);
    }

    private record Answer(int status, Buffer body) {
    }

    private RawValue stored(Answer answer) {
        if (answer.status() >= 200 && answer.status() < 300) {
            return new RawValue(answer.body().toString(StandardCharsets.UTF_8));
        }
        JsonNode problem;
        try {
            problem = json.readTree(answer.body().getBytes());
        } catch (java.io.IOException | RuntimeException e) {
            problem = null; // not a problem document
        }
        throw ServiceCalls.refusal(answer.status(), problem, true);
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
