package dev.parley.platform;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Tells whoever started Parley where to open it. */
@Component
public class StartupBanner {
    private static final Logger log = LoggerFactory.getLogger(StartupBanner.class);
    private final ParleyProperties props;

    public StartupBanner(ParleyProperties props) {
        this.props = props;
    }

    @EventListener
    public void ready(ApplicationReadyEvent event) {
        int port = event.getApplicationContext() instanceof WebServerApplicationContext web
                ? web.getWebServer().getPort() : -1;
        log.info("Parley is running: open {} (HTTP on port {}, Socket.IO on port {})",
                props.publicBaseUrl(), port, props.socket().port());
    }
}
