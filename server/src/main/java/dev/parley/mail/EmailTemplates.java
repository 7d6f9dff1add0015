package dev.parley.mail;

import org.springframework.stereotype.Component;
import org.springframework.web.util.HtmlUtils;

import dev.parley.platform.ParleyProperties;

/** The emails Parley sends (three with a link, two security notices), as text and HTML, with links under {@code parley.public-url}. */
@Component
public class EmailTemplates {
    private final String baseUrl;

    public EmailTemplates(ParleyProperties props) {
        this.baseUrl = props.publicBaseUrl();
    }

    public Email confirmEmail(String to, String name, long userId, String token) {
        String link = link("confirm-email", userId, token);
        return build(to, "Confirm your email for Parley", name,
                "Welcome to Parley! Confirm your email address to finish signing up:", link, "Confirm email",
                "If you did not sign up, ignore this email.");
    }

    public Email resetPassword(String to, String name, long userId, String token) {
        String link = link("reset-password", userId, token);
        return build(to, "Reset your Parley password", name,
                "Someone (hopefully you) asked to reset your Parley password. The link is valid for 24 hours:",
                link, "Choose a new password", "If it was not you, ignore this email: your password stays as it is.");
    }

    public Email changeEmail(String to, String name, long userId, String token) {
        String link = link("change-email", userId, token);
        return build(to, "Confirm your new email for Parley", name,
                "Confirm that this is the new email address of your Parley account:", link, "Confirm new email",
                "If you did not ask for this, ignore this email.");
    }

    /** Security notice to the account's address after its password was changed or reset. */
    public Email passwordChanged(String to, String name) {
        return notice(to, "Your Parley password was changed", name,
                "The password of your Parley account was just changed, and every device was signed out.",
                "If it was not you, reset your password at " + baseUrl + " at once.");
    }

    /** Security notice to the old address after the account's email was changed to another. */
    public Email emailChanged(String oldAddress, String name, String newAddress) {
        return notice(oldAddress, "Your Parley email was changed", name,
                "The email address of your Parley account was just changed to " + newAddress
                        + ". This address will receive no more email from Parley.",
                "If it was not you, contact the administrator of " + baseUrl + ".");
    }

    private static Email notice(String to, String subject, String name, String what, String ifNotYou) {
        String text = "Hi " + name + ",\n\n" + what + "\n\n" + ifNotYou + "\n\n— Parley\n";
        String html = """
                <!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1b1f24">
                <p>Hi %s,</p><p>%s</p><p style="font-size:13px;color:#555">%s</p></body></html>
                """.formatted(HtmlUtils.htmlEscape(name), HtmlUtils.htmlEscape(what), HtmlUtils.htmlEscape(ifNotYou));
        return new Email(to, subject, text, html);
    }

    private String link(String kind, long userId, String token) {
        return baseUrl + "/email/" + kind + "?id=" + userId + "&token=" + token;
    }

    private static Email build(String to, String subject, String name, String intro, String link,
                               String button, String outro) {
        String text = "Hi " + name + ",\n\n" + intro + "\n\n" + link + "\n\n" + outro + "\n\n— Parley\n";
        String html = """
                <!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1b1f24">
                <p>Hi %s,</p><p>%s</p>
                <p><a href="%s" style="display:inline-block;padding:10px 18px;background:#2f6fed;color:#fff;\
                border-radius:8px;text-decoration:none">%s</a></p>
                <p style="font-size:13px;color:#555">Or open this link: %s</p>
                <p style="font-size:13px;color:#555">%s</p></body></html>
                """.formatted(HtmlUtils.htmlEscape(name), HtmlUtils.htmlEscape(intro), HtmlUtils.htmlEscape(link),
                HtmlUtils.htmlEscape(button), HtmlUtils.htmlEscape(link), HtmlUtils.htmlEscape(outro));
        return new Email(to, subject, text, html);
    }
}
