package dev.parley.platform;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.support.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

class HttpHardeningTest extends IntegrationTest {

    @Test
    void unknownPathAndWrongMethodAnswerInTheEnvelope() {
        var notFound = api.get("/api/does-not-exist");
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.body().get("statusCode").asInt()).isEqualTo(404);
        assertThat(notFound.body().get("error").asString()).isEqualTo("Not Found");

        var wrongMethod = api.send("PUT", "/api/auth/login", Map.of(), null);
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.body().get("statusCode").asInt()).isEqualTo(405);
    }

    @Test
    void bodiesOver64KiBAre413WithOrWithoutContentLength() {
        String big = "{\"name\":\"" + "a".repeat(70_000) + "\"}";
        var r = api.sendRaw("POST", "/api/user/check-email", big, null, "application/json");
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.body().get("statusCode").asInt()).isEqualTo(413);

        // chunked: no Content-Length, the limit applies while reading
        var chunked = HttpRequest.newBuilder(URI.create(api.baseUrl() + "/api/user/check-email"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big.getBytes())))
                .build();
        var c = api.rawRequest(chunked);
        assertThat(c.statusCode()).isEqualTo(413);
        assertThat(c.body()).contains("\"statusCode\":413");
    }

    @Test
    void malformedBodiesAndWrongTypesAre400NotServerErrors() {
        for (String body : new String[] {"", "{", "[]", "null", "\"text\"", "{\"email\":[1,2]}", "{\"email\":{}}"}) {
            var r = api.sendRaw("POST", "/api/user/check-email", body, null, "application/json");
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.body().get("statusCode").asInt()).as(body).isEqualTo(400);
        }
        var text = api.sendRaw("POST", "/api/user/check-email", "email=a@b.c", null, "text/plain");
        assertThat(text.status()).isEqualTo(415);
        var refreshWrongType = api.sendRaw("POST", "/api/auth/refresh-token", "{\"userID\":\"abc\",\"refreshToken\":\"x\"}", null, "application/json");
        assertThat(refreshWrongType.status()).isEqualTo(400);
        var unknownFieldsIgnored = api.post("/api/user/check-email", Map.of("email", uniqueEmail("x"), "extra", 1));
        assertThat(unknownFieldsIgnored.status()).isEqualTo(200);
    }

    @Test
    void controlCharactersAreRefusedBeforeTheyReachTheDatabase() {
        String nul = "a\u0000b@x.io";
        assertThat(api.post("/api/user/check-email", Map.of("email", nul)).status()).isEqualTo(400);
        assertThat(api.post("/api/user/reset-password", Map.of("email", nul)).status()).isEqualTo(400);
        assertThat(api.post("/api/auth/login", Map.of("email", nul, "password", "password1")).status()).isEqualTo(400);
        assertThat(api.post("/api/user", Map.of("name", "Nu\u0000ll", "email", uniqueEmail("nul"), "password", PASSWORD)).status()).isEqualTo(400);
        TestUser u = signUp("Ctrl");
        assertThat(api.post("/api/user/search", Map.of("name", "a\u0000"), u.accessToken()).status()).isEqualTo(200);
        assertThat(api.post("/api/user/change/name", Map.of("newName", "Bad\u0000Name"), u.accessToken()).status()).isEqualTo(400);
        assertThat(api.post("/api/user/change/bio", Map.of("newBio", "bell\u0007"), u.accessToken()).status()).isEqualTo(400);
        assertThat(api.get("/api/user/me", u.accessToken()).data().get("name").asString()).isEqualTo("Ctrl");
    }

    @Test
    void securityHeadersOnEveryResponse() {
        var r = api.get("/api/config").raw();
        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(r.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("frame-ancestors 'none'").contains("default-src 'self'");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        var error = api.get("/api/nope").raw();
        assertThat(error.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    @Test
    void corsAllowsConfiguredOriginsOnly() {
        var allowed = api.rawRequest(HttpRequest.newBuilder(URI.create(api.baseUrl() + "/api/auth/login"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://localhost:5173")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type").build());
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:5173");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase())
                .contains("authorization").contains("content-type");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();

        var denied = api.rawRequest(HttpRequest.newBuilder(URI.create(api.baseUrl() + "/api/auth/login"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST").build());
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void clientConfigNamesTheSocketUrl() {
        var r = api.get("/api/config");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.data().get("socketUrl").asString()).isEqualTo("http://127.0.0.1:" + socketPort());
    }
}
