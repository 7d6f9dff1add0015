package dev.parley.user;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

import dev.parley.mail.EmailTemplates;
import dev.parley.mail.EmailTokenStore;
import dev.parley.mail.EmailTokenStore.Purpose;
import dev.parley.mail.Mailer;
import dev.parley.platform.ApiException;
import dev.parley.platform.ParleyProperties;
import dev.parley.platform.Tokens;
import dev.parley.platform.Validate;
import dev.parley.ratelimit.RateLimiter;
import dev.parley.session.SessionStore;

/** Account rules: registration, profile changes, email links, deletion. */
@Service
public class UserService {
    static final int SEARCH_LIMIT = 50;

    private final UserRepository users;
    private final PasswordHasher hasher;
    private final EmailTokenStore emailTokens;
    private final EmailTemplates templates;
    private final Mailer mailer;
    private final SessionStore sessions;
    private final ApplicationEventPublisher events;
    private final boolean requireConfirmation;
    private final RateLimiter rateLimiter;

    public UserService(UserRepository users, PasswordHasher hasher, EmailTokenStore emailTokens,
                       EmailTemplates templates, Mailer mailer, SessionStore sessions,
                       ApplicationEventPublisher events, ParleyProperties props, RateLimiter rateLimiter) {
        this.rateLimiter = rateLimiter;
        this.users = users;
        this.hasher = hasher;
        this.emailTokens = emailTokens;
        this.templates = templates;
        this.mailer = mailer;
        this.sessions = sessions;
        this.events = events;
        this.requireConfirmation = props.auth().requireEmailConfirmation();
    }

    /** {@code email} is canonical (stored and mailed); the message quotes it {@code asTyped} (trimmed), as the core does. */
    public long register(String name, String email, String asTyped, String password) {
        String hash = hasher.hash(password);
        long id = users.insert(name, email, hash, !requireConfirmation)
                .orElseThrow(() -> ApiException.badRequest("Email " + asTyped + " already in use"));
        if (requireConfirmation) {
            String token = emailTokens.issue(Purpose.CONFIRM_EMAIL, id, "");
            mailer.send(templates.confirmEmail(email, name, id, token));
        }
        return id;
    }

    public boolean emailTaken(String email) {
        return users.emailTaken(email);
    }

    public Optional<User> findById(long id) {
        return users.findById(id);
    }

    public Optional<User> findByEmail(String email) {
        return users.findByEmail(email);
    }

    public boolean existsActive(long id) {
        return users.existsActive(id);
    }

    public String nameOf(long id) {
        return users.nameOf(id).orElseThrow(() -> ApiException.badRequest("User not found"));
    }

    public List<UserRepository.SearchHit> search(String fragment, long callerId) {
        String f = fragment == null || Validate.hasControlCharacters(fragment) ? "" : fragment.strip();
        if (f.isEmpty()) return List.of();
        if (f.length() > 100) f = f.substring(0, 100);
        return users.searchByName(f, callerId, SEARCH_LIMIT);
    }

    /** The active account with this (canonical) email, if any. */
    public Optional<User> findActiveByEmail(String email) {
        return users.findByEmail(email).filter(u -> !u.deleted());
    }

    /**
     * Whether {@code password} opens {@code user}; with no user (unknown email) the same bcrypt work
     * is spent, so timing does not tell the two apart.
     */
    public boolean passwordMatches(User user, String password) {
        if (user == null) {
            hasher.burn(password);
            return false;
        }
        return hasher.matches(password, user.passwordHash());
    }

    /** Presence changed (first socket up or last socket down): keep the last-seen time. */
    public void recordLastSeen(long id, java.time.Instant when) {
        users.touchLastSeen(id, when);
    }

    public User requireActive(long id) {
        return users.findById(id).filter(u -> !u.deleted())
                .orElseThrow(() -> ApiException.unauthorized("Account not found"));
    }

    public void changeName(long id, String name) {
        requireActive(id);
        users.updateName(id, name);
        events.publishEvent(new UserProfileChangedEvent(id, name));
    }

    public void changeBio(long id, String bio) {
        requireActive(id);
        users.updateBio(id, bio);
    }

    public void changePassword(long id, String oldPassword, String newPassword) {
        User user = requireActive(id);
        if (!hasher.matches(oldPassword, user.passwordHash())) throw ApiException.unauthorized("Wrong password");
        users.updatePassword(id, hasher.hash(newPassword));
        emailTokens.revokeAll(id); // a pending change-email/reset link must not outlive the old password
        sessions.revokeAll(id);
        mailer.send(templates.passwordChanged(user.email(), user.name()));
    }

    public void requestEmailChange(long id, String password, String newEmail) {
        User user = requireActive(id);
        if (!hasher.matches(password, user.passwordHash())) throw ApiException.unauthorized("Wrong password");
        if (users.emailTaken(newEmail)) throw ApiException.badRequest("Email already in use");
        String token = emailTokens.issue(Purpose.CHANGE_EMAIL, id, newEmail);
        mailer.send(templates.changeEmail(newEmail, user.name(), id, token));
    }

    /**
     * Always succeeds from the caller's point of view: no account enumeration. A link is mailed
     * only while the account has budget left for this address ({@code reset-password-account})
     * and overall ({@code reset-password-account-total}); the overall budget is spent only by
     * requests within their address's budget, so one address cannot use it up and the owner,
     * asking from elsewhere, still gets the email. Unknown emails do the same counting.
     */
    public void requestPasswordReset(String email, String addressKey) {
        User user = findActiveByEmail(email).orElse(null);
        String account = user != null ? "user:" + user.id() : "email:" + Tokens.sha256(email.toLowerCase(Locale.ROOT));
        boolean withinAddressBudget = rateLimiter.tryHit("reset-password-account", account + "|" + addressKey) == null;
        boolean withinAccountBudget = withinAddressBudget
                && rateLimiter.tryHit("reset-password-account-total", account) == null;
        if (user == null || !withinAccountBudget) return;
        String token = emailTokens.issue(Purpose.RESET_PASSWORD, user.id(), "");
        mailer.send(templates.resetPassword(user.email(), user.name(), user.id(), token));
    }

    public void confirmEmail(long id, String token) {
        if (emailTokens.consume(Purpose.CONFIRM_EMAIL, id, token).isEmpty()) {
            throw ApiException.badRequest("Invalid confirm email link");
        }
        users.confirmEmail(id);
    }

    public void resetPassword(long id, String token, String newPassword) {
        if (emailTokens.peek(Purpose.RESET_PASSWORD, id, token).isEmpty()) {
            throw ApiException.unauthorized("Invalid reset password link");
        }
        String hash = hasher.hash(newPassword);
        if (emailTokens.consume(Purpose.RESET_PASSWORD, id, token).isEmpty()) {
            throw ApiException.unauthorized("Invalid reset password link");
        }
        users.updatePassword(id, hash);
        users.confirmEmail(id); // the link proved control of the mailbox
        emailTokens.revokeAll(id);
        sessions.revokeAll(id);
        users.findById(id).filter(u -> !u.deleted())
                .ifPresent(u -> mailer.send(templates.passwordChanged(u.email(), u.name())));
    }

    public void confirmEmailChange(long id, String token) {
        String newEmail = emailTokens.peek(Purpose.CHANGE_EMAIL, id, token)
                .orElseThrow(() -> ApiException.unauthorized("Invalid change email link"));
        if (users.emailTaken(newEmail)) throw ApiException.badRequest("Email already in use");
        if (emailTokens.consume(Purpose.CHANGE_EMAIL, id, token).isEmpty()) {
            throw ApiException.unauthorized("Invalid change email link");
        }
        User before = requireActive(id);
        try {
            if (!users.updateEmail(id, newEmail)) throw ApiException.badRequest("Email already in use");
        } catch (org.springframework.dao.DuplicateKeyException raced) {
            throw ApiException.badRequest("Email already in use");
        }
        emailTokens.revokeAll(id); // a reset link sent to the old address must not work any more
        // the old mailbox learns of it, so a hijacked session cannot move the account away unseen
        mailer.send(templates.emailChanged(before.email(), before.name(), newEmail));
    }

    public void delete(long id, String password) {
        User user = requireActive(id);
        if (!hasher.matches(password, user.passwordHash())) throw ApiException.unauthorized("Wrong password");
        users.anonymise(id);
        emailTokens.revokeAll(id);
        sessions.revokeAll(id);
        events.publishEvent(new UserProfileChangedEvent(id, UserRepository.DELETED_NAME));
    }
}
