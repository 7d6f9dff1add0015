package dev.parley.platform;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.springframework.http.HttpStatus;

/**
 * The contract's envelope around every response body:
 * {@code {statusCode, message, data?}} and, for errors, {@code error}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiResponse<T>(int statusCode, String message, T data, String error) {

    public static <T> ApiResponse<T> ok(T data) {
        return new ApiResponse<>(200, "OK", data, null);
    }

    public static ApiResponse<Void> ok() {
        return new ApiResponse<>(200, "OK", null, null);
    }

    public static ApiResponse<Void> error(HttpStatus status, String message) {
        return new ApiResponse<>(status.value(), message, null, status.getReasonPhrase());
    }
}
