package dev.parley.user;

import java.time.Duration;
import java.util.Map;

import jakarta.mail.internet.MimeMessage;

import com.icegreen.greenmail.util.GreenMailUtil;

import org.junit.jupiter.api.Test;

import dev.parley.support.IntegrationTest;
import dev.parley.support.TestServices;

import static org.assertj.core.api.Assertions.assertThat;

/** The account's mailbox hears of password and email changes (issue 9, "Security notifications"). */
class SecurityNoticesTest extends IntegrationTest {
    static final String PASSWORD_CHANGED = "Your Parley password was changed";
    static final String EMAIL_CHANGED = "Your Parley email was changed";

    @Test
    void aPasswordChangeIsReportedToTheAccountsAddress() {
        TestUser u = signUp("Noticed");
        assertThat(api.post("/api/user/change/password", Map.of("oldPassword", PASSWORD, "newPassword", "another password"),
                u.accessToken()).status()).isEqualTo(200);
        assertThat(awaitMail(u.email(), PASSWORD_CHANGED)).contains("every device was signed out");
    }

    @Test
    void aPasswordResetIsReportedToTheAccountsAddress() {
        TestUser u = signUp("Resetter");
        api.post("/api/user/reset-password", Map.of("email", u.email()));
        EmailLink link = awaitLink(u.email(), "reset-password");
        assertThat(api.post("/api/email/reset-password?id=" + u.id() + "&token=" + link.token(),
                Map.of("newPassword", "reset password")).status()).isEqualTo(200);
        assertThat(awaitMail(u.email(), PASSWORD_CHANGED)).contains("password of your Parley account");
    }

    @Test
    void anEmailChangeIsReportedToTheOldAddressOnceConfirmed() {
        TestUser u = signUp("Mover");
        String newEmail = uniqueEmail("moved");
        assertThat(api.post("/api/user/change/email", Map.of("password", PASSWORD, "newEmail", newEmail), u.accessToken())
                .status()).isEqualTo(200);
        EmailLink link = awaitLink(newEmail, "change-email");
        assertThat(count(u.email(), EMAIL_CHANGED)).as("not before the change is confirmed").isZero();
        assertThat(api.get("/api/email/change-email?id=" + u.id() + "&token=" + link.token()).status()).isEqualTo(200);
        assertThat(awaitMail(u.email(), EMAIL_CHANGED)).contains(newEmail);
        assertThat(count(newEmail, EMAIL_CHANGED)).isZero();
    }

    private static long count(String to, String subject) {
        long n = 0;
        for (MimeMessage m : TestServices.greenMail().getReceivedMessages()) {
            try {
                if (m.getAllRecipients()[0].toString().equalsIgnoreCase(to) && subject.equals(m.getSubject())) n++;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return n;
    }

    /** The text of the first email to {@code to} with {@code subject}; fails after 10 s. */
    private static String awaitMail(String to, String subject) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (MimeMessage m : TestServices.greenMail().getReceivedMessages()) {
                try {
                    if (m.getAllRecipients()[0].toString().equalsIgnoreCase(to) && subject.equals(m.getSubject())) {
                        return GreenMailUtil.getBody(m).replace("=\r\n", "").replace("=3D", "=");
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            try { Thread.sleep(25); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        }
        throw new AssertionError("No '" + subject + "' email reached " + to);
    }
}
