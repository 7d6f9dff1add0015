package dev.parley.auth;

import jakarta.servlet.http.HttpServletRequest;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.parley.platform.ApiException;
import dev.parley.platform.ApiResponse;
import dev.parley.platform.AuthUser;
import dev.parley.platform.ClientInfo;
import dev.parley.platform.Validate;
import dev.parley.ratelimit.RateLimiter;

@RestController
@RequestMapping("/api/auth")
@Tag(name = "Auth", description = "Core: login and token refresh; extension: logout")
public class AuthController {
    private final AuthService auth;
    private final RateLimiter rateLimiter;

    public AuthController(AuthService auth, RateLimiter rateLimiter) {
        this.auth = auth;
        this.rateLimiter = rateLimiter;
    }

    public record LoginRequest(String email, String password, String os, String browser) {}
    public record RefreshRequest(Long userID, String refreshToken, String os, String browser) {}

    @PostMapping("/login")
    @Operation(summary = "401 'Invalid password or email' / 'You need to confirm your email'; 429 when rate-limited",
            description = "Limits: `login-ip` counts every attempt per address; `login-account` counts only failed "
                    + "attempts per account and address, `login-account-total` failed attempts per account from all "
                    + "addresses (a looser ceiling); a successful login clears both, so guessing elsewhere cannot "
                    + "lock the owner out. An email that is not a single plain mailbox is answered like an unknown one.")
    public ApiResponse<AuthService.TokenPair> login(@RequestBody LoginRequest body, HttpServletRequest request) {
        String email = Validate.required(body.email(), "email").strip();
        String password = Validate.required(body.password(), "password");
        String ip = ClientInfo.ip(request);
        rateLimiter.hit("login-ip", ClientInfo.rateLimitKey(ip));
        return ApiResponse.ok(auth.login(email, password,
                Validate.deviceLabel(body.os()), Validate.deviceLabel(body.browser()), ip, ClientInfo.rateLimitKey(ip)));
    }

    @PostMapping("/refresh-token")
    @Operation(summary = "Rotates the refresh token; 401 'Refresh token verify failed'. "
            + "Reusing a rotated token (outside a 30 s grace for the latest one) revokes the session.")
    public ApiResponse<AuthService.TokenPair> refresh(@RequestBody RefreshRequest body, HttpServletRequest request) {
        String ip = ClientInfo.ip(request);
        rateLimiter.hit("refresh-ip", ClientInfo.rateLimitKey(ip));
        if (body.userID() == null || body.userID() <= 0 || body.refreshToken() == null) {
            throw ApiException.unauthorized(AuthService.REFRESH_FAILED);
        }
        return ApiResponse.ok(auth.refresh(body.userID(), body.refreshToken(), ip));
    }

    @PostMapping("/logout")
    @Operation(summary = "Extension: revokes the calling session; its sockets are disconnected")
    public ApiResponse<Void> logout(AuthUser user) {
        auth.logout(user);
        return ApiResponse.ok();
    }
}
