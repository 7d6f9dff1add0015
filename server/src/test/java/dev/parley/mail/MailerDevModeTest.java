package dev.parley.mail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.mail.javamail.JavaMailSenderImpl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Email links (credentials) reach the log only in development mode (issue 9, "Email links in logs"). */
class MailerDevModeTest {
    private static final String LINK = "http://localhost:8080/email/reset-password?id=7&token=SECRET-TOKEN";
    private final Logger logger = (Logger) LoggerFactory.getLogger(Mailer.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private Level previous;

    @BeforeEach
    void capture() {
        previous = logger.getLevel();
        logger.setLevel(Level.INFO);
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
        logger.setLevel(previous);
    }

    private boolean linkLogged() {
        return logged.list.stream().anyMatch(e -> e.getFormattedMessage().contains("SECRET-TOKEN"));
    }

    private void sendWith(Boolean logLinks, String publicUrl) {
        Mailer mailer = new Mailer(null, "Parley <no-reply@parley.local>", logLinks, publicUrl);
        mailer.send(new Email("someone@example.test", "Reset your Parley password", "Open " + LINK, "<p>" + LINK + "</p>"));
        mailer.close();
    }

    @Test
    void aLocalDevelopmentServerLogsTheLinkSoItsUserCanConfirm() {
        sendWith(null, "http://localhost:8080");
        assertThat(linkLogged()).isTrue();
    }

    @Test
    void anyOtherServerWithoutSmtpDropsTheEmailWithoutLoggingTheLink() {
        sendWith(null, "http://chat.internal:8080");
        assertThat(linkLogged()).isFalse();
        assertThat(logged.list).anyMatch(e -> e.getFormattedMessage().contains("not sent: no SMTP server configured"));
        logged.list.clear();
        sendWith(false, "http://localhost:8080");
        assertThat(linkLogged()).isFalse();
    }

    @Test
    void anHttpsServerRefusesToStartWithoutSmtpUnlessLoggingIsExplicit() {
        assertThatThrownBy(() -> new Mailer(null, "Parley <a@b.c>", null, "https://chat.example.com"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("spring.mail.host")
                .hasMessageContaining("parley.mail.log-links");
        assertThatThrownBy(() -> new Mailer(null, "Parley <a@b.c>", false, "https://chat.example.com"))
                .isInstanceOf(IllegalStateException.class);
        new Mailer(new JavaMailSenderImpl(), "Parley <a@b.c>", null, "https://chat.example.com").close();
        sendWith(true, "https://chat.example.com");
        assertThat(linkLogged()).isTrue();
    }
}
