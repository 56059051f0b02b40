package dev.switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.testsupport.TestJwt;

/**
 * A REST fuzzer over every operation of every service's OpenAPI document (issue 11), read at run
 * time from {@code /q/openapi?format=json}: path and query parameters and JSON bodies (generated
 * from the operation's schema) are mutated — wrong types, huge numbers, deep nesting, unicode edge
 * cases (lone surrogates, NUL, RTL overrides, emoji), over-long strings, broken JSON, invalid UTF-8
 * in the URL — and sent with a customer's, an agent's or an admin's token, or none. Every answer is
 * below 500; a 4xx from the API is an RFC 9457 problem ({@code application/problem+json} with
 * {@code status} and {@code title}); and each service still answers {@code /q/health/ready}
 * afterwards. Seeded ({@code -Dfuzz.seed}); {@code -Dfuzz.iterations} requests per operation.
 */
class RestFuzzIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final List<String> NASTY = List.of("\u0000", "\ud800", "\udfff", "\u202eevil", "😀", "\u200b",
            "\ufeff", "é\u0301", "\uffff", "' OR 1=1 --", "../../etc/passwd", "%00", "${jndi:ldap://x}", "<script>",
            "\r\nX-Injected: 1", "null", "", " ", "-1", "0", "NaN", "Infinity", "SB-1", "\\", "\"");
    private static final List<String> NUMBERS = List.of("1e400", "-1e400", "99999999999999999999999999999999999",
            "9223372036854775808", "-9223372036854775809", "2147483648", "-1", "0", "1.5", "-0", "1e-400");

    private Random random;
    private final Map<String, Long> statuses = new TreeMap<>();
    private long requests;

    @BeforeAll
    static void suite() {
        Suite.start();
    }

    private record Service(String name, String baseUrl) {
    }

    @Test
    void everyOperationOfEveryServiceSurvivesMutatedInput() throws Exception {
        long seed = Attack.seed("RestFuzzIT", 32242667501604L);
        random = new Random(seed);
        int perOperation = Attack.iterations(12, 300);
        String customerId = Attack.id("rfuzz");
        String customer = TestJwt.customer(customerId);
        String ticketId = Attack.openTicket(customer, "REST fuzz");
        String messageId = Attack.message(customer, ticketId, "fuzz me").path("id").asText();
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("customer", customer);
        tokens.put("agent", TestJwt.agent(Attack.id("rfuzz-agent")));
        tokens.put("admin", TestJwt.admin(Attack.id("rfuzz-admin")));
        List<String> ids = List.of(ticketId, messageId, customerId, UUID.randomUUID().toString());

        List<Service> services = List.of(new Service("ticket-service", Suite.ticketUrl()),
                new Service("chat-service", Suite.chatUrl()), new Service("notification-service", Suite.notificationUrl()),
                new Service("gateway-service", Suite.gateway().httpUrl()));
        int operations = 0;
        for (Service service : services) {
            JsonNode openapi = Attack.json(send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/q/openapi?format=json"))
                    .GET().build()).body());
            JsonNode paths = openapi.path("paths");
            assertThat(paths.size()).as(service.name() + " operations").isPositive();
            for (Iterator<Map.Entry<String, JsonNode>> p = paths.fields(); p.hasNext();) {
                Map.Entry<String, JsonNode> path = p.next();
                for (Iterator<Map.Entry<String, JsonNode>> o = path.getValue().fields(); o.hasNext();) {
                    Map.Entry<String, JsonNode> operation = o.next();
                    String method = operation.getKey().toUpperCase();
                    if (!List.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method)) {
                        continue;
                    }
                    operations++;
                    for (int i = 0; i < perOperation; i++) {
                        String role = List.copyOf(tokens.keySet()).get(random.nextInt(tokens.size()));
                        String token = random.nextInt(20) == 0 ? null : tokens.get(role);
                        fuzz(service, method, path.getKey(), operation.getValue(), openapi, token, ids, seed);
                    }
                }
            }
            HttpResponse<String> ready = send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/q/health/ready")).GET().build());
            assertThat(ready.statusCode()).as(service.name() + " ready after the fuzzing").isEqualTo(200);
        }
        System.out.println("[RestFuzzIT] seed " + seed + ": " + operations + " operations, " + requests
                + " requests, statuses " + statuses + ", 5xx 0");
    }

    /**
     * The defect the fuzzer found first, pinned: a NUL character reaching PostgreSQL (in a search, a
     * filter, a field) was a 500; it is a 400 problem in every data service.
     */
    @Test
    void aNulCharacterIsA400ProblemNotA500() throws Exception {
        String token = TestJwt.agent(Attack.id("nul"));
        List<HttpRequest> requests = List.of(
                HttpRequest.newBuilder(URI.create(Suite.chatUrl() + "/api/v1/messages/search?q=%00")).GET().build(),
                HttpRequest.newBuilder(URI.create(Suite.chatUrl() + "/api/v1/messages/search?q=a%ED%A0%80%00")).GET().build(),
                HttpRequest.newBuilder(URI.create(Suite.ticketUrl() + "/api/v1/tickets?text=%00")).GET().build(),
                HttpRequest.newBuilder(URI.create(Suite.ticketUrl() + "/api/v1/tickets")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"nul \\u0000 in the title\"}")).build(),
                HttpRequest.newBuilder(URI.create(Suite.notificationUrl() + "/api/v1/notifications?cursor=%00")).GET().build());
        for (HttpRequest request : requests) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(request, (n, v) -> true)
                    .header("Authorization", "Bearer " + token).build());
            assertThat(response.statusCode()).as(request.uri() + " -> " + response.body()).isBetween(400, 499);
            assertThat(response.headers().firstValue("Content-Type").orElse("")).as(request.uri().toString())
                    .startsWith("application/problem+json");
        }
    }

    /**
     * Found by the fuzzer (seed 32242667501604): a gateway path with no endpoint (an empty id) was
     * answered with the framework's HTML page; it is a problem like every other REST answer.
     */
    @Test
    void aGatewayPathWithoutAnEndpointIsA404Problem() throws Exception {
        String token = TestJwt.customer(Attack.id("nopath"));
        for (String path : List.of("/api/v1/realtime/users/", "/api/v1/realtime/emit/user/", "/api/v1/realtime/nothing")) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(Suite.gateway().httpUrl() + path))
                    .header("Authorization", "Bearer " + token).GET().build());
            assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type").orElse("")).as(path)
                    .startsWith("application/problem+json");
        }
    }

    private void fuzz(Service service, String method, String template, JsonNode operation, JsonNode openapi, String token,
            List<String> ids, long seed) throws Exception {
        String path = template;
        StringBuilder query = new StringBuilder();
        for (JsonNode parameter : operation.path("parameters")) {
            String name = parameter.path("name").asText();
            String in = parameter.path("in").asText();
            if (in.equals("path")) {
                path = path.replace("{" + name + "}", pathValue(ids));
            } else if (in.equals("query") && random.nextInt(3) > 0) {
                query.append(query.isEmpty() ? "?" : "&").append(name).append('=').append(queryValue(ids));
            }
        }
        path = path.replaceAll("\\{[^}]+}", pathValue(ids)); // path parameters the document does not list
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.baseUrl() + path + query))
                .timeout(Duration.ofSeconds(20));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        String body = null;
        JsonNode content = operation.path("requestBody").path("content");
        if (content.has("application/json") || (method.equals("POST") || method.equals("PUT") || method.equals("PATCH"))
                && !content.has("multipart/form-data")) {
            body = body(resolve(content.path("application/json").path("schema"), openapi), openapi);
            request.header("Content-Type", random.nextInt(10) == 0 ? "text/plain" : "application/json");
        } else if (content.has("multipart/form-data")) {
            body = "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + nasty() + "\"\r\nContent-Type: "
                    + nasty() + "\r\n\r\n" + nasty() + "\r\n--x--\r\n";
            request.header("Content-Type", "multipart/form-data; boundary=x");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        HttpResponse<String> response = send(request.build());
        requests++;
        statuses.merge(String.valueOf(response.statusCode()), 1L, Long::sum);
        String what = "seed " + seed + ": " + method + " " + service.name() + " " + path + query + " as "
                + (token == null ? "nobody" : "a user") + " body " + abbreviate(body) + " -> " + response.statusCode() + " "
                + abbreviate(response.body());
        assertThat(response.statusCode()).as(what).isLessThan(500);
        int status = response.statusCode();
        // 401 comes from the JWT layer before the API and 405 from the router: neither has a problem body.
        if (status >= 400 && status != 401 && status != 405 && !response.body().isEmpty()) {
            assertThat(response.headers().firstValue("Content-Type").orElse("")).as(what).startsWith("application/problem+json");
            JsonNode problem = Attack.json(response.body());
            assertThat(problem.path("status").asInt()).as(what).isEqualTo(status);
            assertThat(problem.path("title").asText()).as(what).isNotBlank();
        }
    }

    private String pathValue(List<String> ids) {
        int pick = random.nextInt(10);
        if (pick < 4) {
            return ids.get(random.nextInt(ids.size()));
        }
        if (pick < 5) {
            return "%ED%A0%80"; // a lone surrogate as UTF-8: not valid UTF-8
        }
        if (pick < 6) {
            return NUMBERS.get(random.nextInt(NUMBERS.size()));
        }
        if (pick < 7) {
            return "x".repeat(1 + random.nextInt(3000));
        }
        return URLEncoder.encode(nasty(), StandardCharsets.UTF_8).replace("+", "%20");
    }

    private String queryValue(List<String> ids) {
        int pick = random.nextInt(8);
        if (pick < 2) {
            return ids.get(random.nextInt(ids.size()));
        }
        if (pick < 3) {
            return NUMBERS.get(random.nextInt(NUMBERS.size()));
        }
        if (pick < 4) {
            return "%ED%A0%80%00";
        }
        if (pick < 5) {
            return "a".repeat(random.nextInt(5000));
        }
        return URLEncoder.encode(nasty(), StandardCharsets.UTF_8);
    }

    private String nasty() {
        return NASTY.get(random.nextInt(NASTY.size()));
    }

    private static JsonNode resolve(JsonNode schema, JsonNode openapi) {
        for (int i = 0; i < 10 && schema.has("$ref"); i++) {
            String ref = schema.path("$ref").asText();
            schema = openapi.at(ref.substring(1));
        }
        return schema;
    }

    /** A body for the schema, mutated; sometimes not JSON at all. */
    private String body(JsonNode schema, JsonNode openapi) {
        int pick = random.nextInt(12);
        if (pick == 0) {
            String valid = value(schema, openapi, 0, false);
            return valid.substring(0, random.nextInt(Math.max(1, valid.length())));
        }
        if (pick == 1) {
            int depth = 500 + random.nextInt(20_000);
            return "{\"title\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
        }
        if (pick == 2) {
            return random.nextBoolean() ? "" : "null";
        }
        return value(schema, openapi, 0, true);
    }

    private String value(JsonNode schema, JsonNode openapi, int depth, boolean mutate) {
        schema = resolve(schema, openapi);
        if (mutate && random.nextInt(4) == 0 || depth > 4) {
            return wrongValue();
        }
        String type = schema.path("type").asText(schema.has("properties") ? "object" : "string");
        switch (type) {
            case "object": {
                StringBuilder o = new StringBuilder("{");
                List<String> fields = new ArrayList<>();
                schema.path("properties").fieldNames().forEachRemaining(fields::add);
                boolean first = true;
                for (String field : fields) {
                    if (mutate && random.nextInt(5) == 0) {
                        continue;
                    }
                    o.append(first ? "" : ",").append(json(field)).append(':')
                            .append(value(schema.path("properties").path(field), openapi, depth + 1, mutate));
                    first = false;
                }
                return o.append('}').toString();
            }
            case "array":
                return "[" + value(schema.path("items"), openapi, depth + 1, mutate) + "]";
            case "integer":
            case "number":
                return mutate && random.nextBoolean() ? NUMBERS.get(random.nextInt(NUMBERS.size())) : String.valueOf(random.nextInt(100));
            case "boolean":
                return String.valueOf(random.nextBoolean());
            default:
                if (schema.has("enum") && schema.path("enum").size() > 0 && random.nextBoolean()) {
                    return schema.path("enum").get(random.nextInt(schema.path("enum").size())).toString();
                }
                return json(mutate ? nasty() + "x".repeat(random.nextInt(3) == 0 ? 70_000 : 3) : "fuzz");
        }
    }

    private String wrongValue() {
        switch (random.nextInt(6)) {
            case 0:
                return NUMBERS.get(random.nextInt(NUMBERS.size()));
            case 1:
                return "[" + json(nasty()) + ",{\"a\":[1,{}]}]";
            case 2:
                return "{\"$ne\":null,\"__proto__\":{\"admin\":true}}";
            case 3:
                return "true";
            case 4:
                return "null";
            default:
                return json(nasty());
        }
    }

    /** The text as a JSON string, lone surrogates written as escapes (as a JSON library would refuse to). */
    private static String json(String text) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                s.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c) && !isPaired(text, c)) {
                s.append(String.format("\\u%04x", (int) c));
            } else {
                s.append(c);
            }
        }
        return s.append('"').toString();
    }

    private static boolean isPaired(String text, char c) {
        return text.codePoints().anyMatch(cp -> Character.isSupplementaryCodePoint(cp)
                && (Character.highSurrogate(cp) == c || Character.lowSurrogate(cp) == c));
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "none";
        }
        return text.length() > 300 ? text.substring(0, 300) + "... (" + text.length() + " chars)" : text;
    }
}
