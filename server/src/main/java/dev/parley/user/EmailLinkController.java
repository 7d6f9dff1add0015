package dev.parley.user;

import jakarta.servlet.http.HttpServletRequest;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.parley.platform.ApiException;
import dev.parley.platform.ApiResponse;
import dev.parley.platform.ClientInfo;
import dev.parley.platform.Validate;
import dev.parley.ratelimit.RateLimiter;

/** The targets of the links in Parley's emails. Each link works once and for 24 hours. */
@RestController
@RequestMapping("/api/email")
@Tag(name = "Email links", description = "Core: confirmation, password reset, email change")
public class EmailLinkController {
    private final UserService users;
    private final RateLimiter rateLimiter;

    public EmailLinkController(UserService users, RateLimiter rateLimiter) {
        this.users = users;
        this.rateLimiter = rateLimiter;
    }

    public record NewPasswordRequest(String newPassword) {}

    @GetMapping("/confirm-email")
    @Operation(summary = "400 'Invalid confirm email link'")
    public ApiResponse<Void> confirm(@RequestParam(required = false) String id, @RequestParam(required = false) String token,
                                     HttpServletRequest request) {
        rateLimiter.hit("email-link-ip", ClientInfo.rateLimitKey(request));
        long userId = parseId(id, ApiException.badRequest("Invalid confirm email link"));
        users.confirmEmail(userId, token);
        return ApiResponse.ok();
    }

    @PostMapping("/reset-password")
    @Operation(summary = "401 'Invalid reset password link'; revokes all sessions")
    public ApiResponse<Void> reset(@RequestParam(required = false) String id, @RequestParam(required = false) String token,
                                   @RequestBody NewPasswordRequest body, HttpServletRequest request) {
        rateLimiter.hit("email-link-ip", ClientInfo.rateLimitKey(request));
        long userId = parseId(id, ApiException.unauthorized("Invalid reset password link"));
        String password = Validate.password(body.newPassword(), "newPassword");
        users.resetPassword(userId, token, password);
        return ApiResponse.ok();
    }

    @GetMapping("/change-email")
    @Operation(summary = "401 'Invalid change email link'")
    public ApiResponse<Void> changeEmail(@RequestParam(required = false) String id, @RequestParam(required = false) String token,
                                         HttpServletRequest request) {
        rateLimiter.hit("email-link-ip", ClientInfo.rateLimitKey(request));
        long userId = parseId(id, ApiException.unauthorized("Invalid change email link"));
        users.confirmEmailChange(userId, token);
        return ApiResponse.ok();
    }

    /** A malformed id in a link is just an invalid link. */
    private static long parseId(String raw, ApiException invalid) {
        try {
            return Validate.id(raw, "id");
        } catch (ApiException e) {
            throw invalid;
        }
    }
}
