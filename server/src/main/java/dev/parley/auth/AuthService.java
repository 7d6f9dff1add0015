package dev.parley.auth;

import java.util.Locale;

import org.springframework.stereotype.Service;

import dev.parley.platform.ApiException;
import dev.parley.platform.AuthUser;
import dev.parley.platform.ParleyProperties;
import dev.parley.platform.Tokens;
import dev.parley.platform.Validate;
import dev.parley.session.RefreshResult;
import dev.parley.session.SessionStore;
import dev.parley.user.User;
import dev.parley.user.UserService;

/** Login, token refresh and logout. */
@Service
public class AuthService {
    static final String INVALID_CREDENTIALS = "Invalid password or email";
    static final String NOT_CONFIRMED = "You need to confirm your email";
    static final String REFRESH_FAILED = "Refresh token verify failed";

    private final UserService users;
    private final SessionStore sessions;
    private final AccessTokenService accessTokens;
    private final boolean requireConfirmation;
    private final java.time.Clock clock;
    private final LoginThrottle throttle;

    public AuthService(UserService users, SessionStore sessions, AccessTokenService accessTokens,
                       ParleyProperties props, java.time.Clock clock, LoginThrottle throttle) {
        this.clock = clock;
        this.throttle = throttle;
        this.users = users;
        this.sessions = sessions;
        this.accessTokens = accessTokens;
        this.requireConfirmation = props.auth().requireEmailConfirmation();
    }

    public record TokenPair(long userID, String accessToken, String refreshToken) {}

    /**
     * Unknown email and wrong password get the same answer after the same work (a lookup, the
     * throttle check, bcrypt). Confirmation is checked only after the password, so it reveals
     * nothing to strangers. Only failures count towards the lock-out (see {@link LoginThrottle}).
     */
    public TokenPair login(String email, String password, String os, String browser, String ip, String ipKey) {
        long checkedAt = clock.millis();
        // not a plain mailbox: only an account stored before that rule can have it
        String canonical = Validate.canonicalEmail(email).orElseGet(() -> Validate.legacyEmailLookup(email));
        User user = canonical == null ? null : users.findActiveByEmail(canonical).orElse(null);
        String account = user != null ? "user:" + user.id()
                : "email:" + Tokens.sha256((canonical != null ? canonical : email).toLowerCase(Locale.ROOT));
        throttle.admit(account, ipKey);
        boolean ok = password.length() <= Validate.PASSWORD_MAX && users.passwordMatches(user, password);
        if (!ok) {
            throttle.failed(account);
            throw ApiException.unauthorized(INVALID_CREDENTIALS);
        }
        throttle.succeeded(account, ipKey);
        if (requireConfirmation && !user.emailConfirmed()) throw ApiException.unauthorized(NOT_CONFIRMED);
        var session = sessions.create(user.id(), os, browser, ip, checkedAt)
                .orElseThrow(() -> ApiException.unauthorized(INVALID_CREDENTIALS));
        return new TokenPair(user.id(), accessTokens.issue(user.id(), session.sessionId()), session.refreshToken());
    }

    public TokenPair refresh(long userId, String refreshToken, String ip) {
        return switch (sessions.rotate(userId, refreshToken, ip)) {
            case RefreshResult.Rotated r ->
                    new TokenPair(userId, accessTokens.issue(userId, r.sessionId()), r.refreshToken());
            case RefreshResult.Rejected r -> throw ApiException.unauthorized(REFRESH_FAILED);
            case RefreshResult.Reused r -> throw ApiException.unauthorized(REFRESH_FAILED);
        };
    }

    public void logout(AuthUser user) {
        sessions.revoke(user.userId(), java.util.List.of(user.sessionId()));
    }
}
