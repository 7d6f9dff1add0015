package dev.parley.mail;

import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.annotation.PreDestroy;
import jakarta.mail.internet.MimeMessage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;
import org.springframework.stereotype.Service;

import dev.parley.platform.ParleyProperties;

/**
 * Sends email over SMTP when {@code spring.mail.host} is set. Without SMTP, an email's text (with
 * its confirm/reset link, which is a credential) is written to the log only in development mode,
 * {@code parley.mail.log-links}: by default on when {@code parley.public-url} is a loopback http
 * address (what {@code ./parley run} uses, so a local user can open the confirmation link) and off
 * otherwise, when only the fact that an email was dropped is logged. With an https public URL and
 * no SMTP, Parley refuses to start unless {@code parley.mail.log-links=true} is set explicitly:
 * accounts could neither be confirmed nor recovered. Sending happens on a virtual thread so a slow
 * SMTP server never holds up an HTTP answer; failures are logged.
 */
@Service
public class Mailer {
    private static final Logger log = LoggerFactory.getLogger(Mailer.class);

    private final JavaMailSender sender;
    private final String from;
    private final boolean logLinks;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    @Autowired
    public Mailer(ObjectProvider<JavaMailSender> sender,
                  @Value("${parley.mail.from:Parley <no-reply@parley.local>}") String from,
                  @Value("${parley.mail.log-links:#{null}}") Boolean logLinks, ParleyProperties props) {
        this(sender.getIfAvailable(), from, logLinks, props.publicUrl());
    }

    Mailer(JavaMailSender sender, String from, Boolean logLinks, String publicUrl) {
        this.sender = sender;
        this.from = from;
        URI url = URI.create(publicUrl);
        if (sender == null && "https".equalsIgnoreCase(url.getScheme()) && !Boolean.TRUE.equals(logLinks)) {
            throw new IllegalStateException("parley.public-url is " + publicUrl + " but no SMTP server is configured "
                    + "(spring.mail.host): confirmation and password-reset emails could not be sent. Configure SMTP, "
                    + "or set parley.mail.log-links=true to write them (with their links) to the log.");
        }
        this.logLinks = logLinks != null ? logLinks : isLoopbackHttp(url);
        if (sender == null) {
            log.warn(this.logLinks
                    ? "No SMTP server configured (spring.mail.host): emails, with their links, are written to this log "
                            + "(parley.mail.log-links). Do not use this mode in production."
                    : "No SMTP server configured (spring.mail.host): emails are dropped (set parley.mail.log-links=true "
                            + "to write them to the log in development).");
        }
    }

    private static boolean isLoopbackHttp(URI url) {
        String host = url.getHost();
        return "http".equalsIgnoreCase(url.getScheme()) && host != null
                && (host.equalsIgnoreCase("localhost") || host.startsWith("127.") || host.equals("[::1]"));
    }

    public void send(Email email) {
        if (sender == null) {
            if (logLinks) {
                log.info("Email (no SMTP configured) to {}: {}\n{}", email.to(), email.subject(), email.text());
            } else {
                log.warn("Email '{}' not sent: no SMTP server configured", email.subject());
            }
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
