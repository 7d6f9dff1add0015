package dev.parley.mail;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.annotation.PreDestroy;
import jakarta.mail.internet.MimeMessage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;
import org.springframework.stereotype.Service;

/**
 * Sends email over SMTP when {@code spring.mail.host} is set; otherwise writes each email, with
 * its link, to the log (the zero-setup default). Sending happens on a virtual thread so a slow
 * SMTP server never holds up an HTTP answer; failures are logged.
 */
@Service
public class Mailer {
    private static final Logger log = LoggerFactory.getLogger(Mailer.class);

    private final JavaMailSender sender;
    private final String from;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    public Mailer(ObjectProvider<JavaMailSender> sender,
                  @org.springframework.beans.factory.annotation.Value("${parley.mail.from:Parley <no-reply@parley.local>}") String from) {
        this.sender = sender.getIfAvailable();
        this.from = from;
    }

    public void send(Email email) {
        if (sender == null) {
            log.info("Email (no SMTP configured) to {}: {}\n{}", email.to(), email.subject(), email.text());
            return;
        }
        executor.submit(() -> {
            try {
                MimeMessage message = sender.createMimeMessage();
                var helper = new MimeMessageHelper(message, true, "UTF-8");
                helper.setFrom(from);
                helper.setTo(email.to());
                helper.setSubject(email.subject());
                helper.setText(email.text(), email.html());
                sender.send(message);
            } catch (Exception e) {
                log.error("Sending email '{}' to {} failed", email.subject(), email.to(), e);
            }
        });
    }

    @PreDestroy
    void close() {
        executor.close(); // waits for emails in flight
    }
}
