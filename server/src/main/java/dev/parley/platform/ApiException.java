package dev.parley.platform;

import java.time.Duration;

import org.springframework.http.HttpStatus;

/**
 * A client-facing failure: becomes an error envelope with this status and message.
 * {@code retryAfter} is set for 429 and 503 answers.
 */
public class ApiException extends RuntimeException {
    private final HttpStatus status;
    private final Duration retryAfter;

    public ApiException(HttpStatus status, String message) {
        this(status, message, null);
    }

    public ApiException(HttpStatus status, String message, Duration retryAfter) {
        super(message, null, false, false); // no stack trace: these are expected outcomes
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public HttpStatus status() { return status; }
    public Duration retryAfter() { return retryAfter; }

    public static ApiException badRequest(String message) { return new ApiException(HttpStatus.BAD_REQUEST, message); }
    public static ApiException unauthorized(String message) { return new ApiException(HttpStatus.UNAUTHORIZED, message); }
    public static ApiException notFound(String message) { return new ApiException(HttpStatus.NOT_FOUND, message); }
    public static ApiException unavailable(String message, Duration retryAfter) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, message, retryAfter);
    }
    public static ApiException tooManyRequests(Duration retryAfter) {
        return new ApiException(HttpStatus.TOO_MANY_REQUESTS, "Too many requests, try again later", retryAfter);
    }
}
