package dev.parley.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** A plain HTTP client for the REST API, speaking JSON the way any third-party client would. */
public final class ApiClient {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    public ApiClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public String baseUrl() { return baseUrl; }

    public record Response(int status, JsonNode body, HttpResponse<String> raw) {
        public JsonNode data() { return body.get("data"); }
        public String message() { return body.path("message").asString(); }
        public String header(String name) { return raw.headers().firstValue(name).orElse(null); }
    }

    public Response get(String path, String token) { return send("GET", path, null, token); }
    public Response post(String path, Object body, String token) { return send("POST", path, body, token); }
    public Response put(String path, Object body, String token) { return send("PUT", path, body, token); }
    public Response delete(String path, Object body, String token) { return send("DELETE", path, body, token); }
    public Response get(String path) { return get(path, null); }
    public Response post(String path, Object body) { return post(path, body, null); }

    public Response send(String method, String path, Object body, String token) {
        String json = body == null ? null : body instanceof String s ? s : JSON.writeValueAsString(body);
        return sendRaw(method, path, json, token, "application/json");
    }

    public Response sendRaw(String method, String path, String body, String token, String contentType) {
        var builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(20));
        if (token != null) builder.header("Authorization", "Bearer " + token);
        if (body != null) builder.header("Content-Type", contentType);
        builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode node = r.body() == null || r.body().isEmpty() ? JSON.createObjectNode() : parse(r.body());
            return new Response(r.statusCode(), node, r);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> rawRequest(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (RuntimeException e) {
            return JSON.createObjectNode().put("unparsed", body);
        }
    }

    public static ObjectMapper json() { return JSON; }
}
