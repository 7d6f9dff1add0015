package dev.parley.user;

import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.parley.platform.AuthUser;
import dev.parley.platform.ApiException;
import dev.parley.platform.ApiResponse;
import dev.parley.platform.ClientInfo;
import dev.parley.platform.Validate;
import dev.parley.ratelimit.RateLimiter;

@RestController
@RequestMapping("/api/user")
@Tag(name = "Users", description = "Core: accounts and profiles")
public class UserController {
    private final UserService users;
    private final RateLimiter rateLimiter;

    public UserController(UserService users, RateLimiter rateLimiter) {
        this.users = users;
        this.rateLimiter = rateLimiter;
    }

    public record RegisterRequest(String name, String email, String password) {}
    public record EmailRequest(String email) {}
    public record SearchRequest(String name) {}
    public record PasswordRequest(String password) {}
    public record ChangePasswordRequest(String oldPassword, String newPassword) {}
    public record ChangeNameRequest(String newName) {}
    public record ChangeBioRequest(String newBio) {}
    public record ChangeEmailRequest(String password, String newEmail) {}
    public record Me(long id, String name, String email, String bio) {}

    @PostMapping
    @Operation(summary = "Register; sends a confirmation email. 400 'Email {email} already in use'",
            description = "The email must be exactly one plain mailbox `local@domain` (ASCII, at most 254 characters): "
                    + "display names, comments, quotes, angle brackets, groups, several addresses, whitespace and "
                    + "control characters are refused with 400 'email must be a valid email address'. It is stored "
                    + "trimmed with the domain lower-cased; emails compare case-insensitively. Names: see change/name.")
    public ApiResponse<Void> register(@RequestBody RegisterRequest body, HttpServletRequest request) {
        String name = Validate.name(body.name(), "name");
        String email = Validate.email(body.email(), "email");
        String password = Validate.password(body.password(), "password");
        rateLimiter.hit("register-ip", ClientInfo.rateLimitKey(request));
        users.register(name, email, body.email().strip(), password);
        return ApiResponse.ok();
    }

    @PostMapping("/check-email")
    @Operation(summary = "400 'Email already in use' if the email is taken")
    public ApiResponse<Void> checkEmail(@RequestBody EmailRequest body, HttpServletRequest request) {
        String email = Validate.email(body.email(), "email");
        rateLimiter.hit("check-email-ip", ClientInfo.rateLimitKey(request));
        if (users.emailTaken(email)) throw ApiException.badRequest("Email already in use");
        return ApiResponse.ok();
    }

    @GetMapping("/is-exist")
    @Operation(summary = "Whether an active account has this id; 429 beyond the per-address limit `user-lookup-ip`")
    public ApiResponse<Boolean> isExist(@RequestParam(name = "user-id", required = false) String userId,
                                        HttpServletRequest request) {
        long id = Validate.id(userId, "user-id");
        rateLimiter.hit("user-lookup-ip", ClientInfo.rateLimitKey(request));
        return ApiResponse.ok(users.existsActive(id));
    }

    @GetMapping("/{id}/name")
    @Operation(summary = "A user's display name; 400 'User not found'; 429 beyond the per-address limit `user-lookup-ip`")
    public ApiResponse<String> name(@PathVariable("id") String id, HttpServletRequest request) {
        long userId = Validate.id(id, "id");
        rateLimiter.hit("user-lookup-ip", ClientInfo.rateLimitKey(request));
        return ApiResponse.ok(users.nameOf(userId));
    }

    @GetMapping("/me")
    @Operation(summary = "Extension: the caller's own profile")
    public ApiResponse<Me> me(AuthUser user) {
        User u = users.requireActive(user.userId());
        return ApiResponse.ok(new Me(u.id(), u.name(), u.email(), u.bio()));
    }

    @PostMapping("/search")
    @Operation(summary = "Case-insensitive substring search on names (at most 50), excluding the caller")
    public ApiResponse<List<UserRepository.SearchHit>> search(AuthUser user, @RequestBody SearchRequest body) {
        if (body.name() == null || body.name().isBlank()) return ApiResponse.ok(List.of());
        rateLimiter.hit("search-user", Long.toString(user.userId()));
        return ApiResponse.ok(users.search(body.name(), user.userId()));
    }

    @DeleteMapping
    @Operation(summary = "Delete (anonymise) the caller's account; revokes all sessions")
    public ApiResponse<Void> delete(AuthUser user, @RequestBody PasswordRequest body) {
        rateLimiter.hit("password-check-user", Long.toString(user.userId()));
        users.delete(user.userId(), Validate.required(body.password(), "password"));
        return ApiResponse.ok();
    }

    @PostMapping("/reset-password")
    @Operation(summary = "Always 200; emails a reset link if the account exists",
            description = "`reset-password-ip` limits requests per address (429). Per account, at most "
                    + "`reset-password-account` links per address and `reset-password-account-total` overall are "
                    + "mailed; beyond that the answer is still 200 but nothing is sent, so a stranger can neither "
                    + "flood a mailbox nor stop the owner, asking from another address, from getting a link.")
    public ApiResponse<Void> resetPassword(@RequestBody EmailRequest body, HttpServletRequest request) {
        String email = Validate.email(body.email(), "email");
        String address = ClientInfo.rateLimitKey(request);
        rateLimiter.hit("reset-password-ip", address);
        users.requestPasswordReset(email, address);
        return ApiResponse.ok();
    }

    @PostMapping("/change/password")
    @Operation(summary = "401 on a wrong old password; revokes all sessions; the account's address is told of it")
    public ApiResponse<Void> changePassword(AuthUser user, @RequestBody ChangePasswordRequest body) {
        String oldPassword = Validate.required(body.oldPassword(), "oldPassword");
        String newPassword = Validate.password(body.newPassword(), "newPassword");
        rateLimiter.hit("password-check-user", Long.toString(user.userId()));
        users.changePassword(user.userId(), oldPassword, newPassword);
        return ApiResponse.ok();
    }

    @PostMapping("/change/name")
    @Operation(summary = "2-20 characters (Unicode code points after NFC normalisation) on one line",
            description = "Refused with 400: control characters (newlines too), format characters (bidi "
                    + "overrides/isolates, zero-width characters), and the label 'Deleted account' in any case. "
                    + "Each change is pushed to every contact, so changes of name and bio share the per-user limit "
                    + "`profile-change-user` (429).")
    public ApiResponse<Void> changeName(AuthUser user, @RequestBody ChangeNameRequest body) {
        String name = Validate.name(body.newName(), "newName");
        rateLimiter.hit("profile-change-user", Long.toString(user.userId()));
        users.changeName(user.userId(), name);
        return ApiResponse.ok();
    }

    @PostMapping("/change/bio")
    @Operation(summary = "At most 100 characters (code points after NFC), may be empty; one line",
            description = "Same character rules as names (no control, format or bidi characters); "
                    + "shares the per-user limit `profile-change-user` (429) with name changes.")
    public ApiResponse<Void> changeBio(AuthUser user, @RequestBody ChangeBioRequest body) {
        String bio = Validate.bio(body.newBio(), "newBio");
        rateLimiter.hit("profile-change-user", Long.toString(user.userId()));
        users.changeBio(user.userId(), bio);
        return ApiResponse.ok();
    }

    @PostMapping("/change/email")
    @Operation(summary = "Emails a confirmation link to the new address; 400 'Email already in use'",
            description = "Once the link is opened, the old address is told of the change.")
    public ApiResponse<Void> changeEmail(AuthUser user, @RequestBody ChangeEmailRequest body) {
        String password = Validate.required(body.password(), "password");
        String email = Validate.email(body.newEmail(), "newEmail");
        rateLimiter.hit("password-check-user", Long.toString(user.userId()));
        users.requestEmailChange(user.userId(), password, email);
        return ApiResponse.ok();
    }
}
