package dev.parley.platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/** Writes an error envelope from a servlet filter, where MVC's message converters are not in play. */
final class JsonErrorWriter {
    private JsonErrorWriter() {}

    static void write(HttpServletResponse response, HttpStatus status, String message) throws IOException {
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write("{\"statusCode\":" + status.value()
                + ",\"message\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\",\"error\":\"" + status.getReasonPhrase() + "\"}");
    }
}
