package dev.parley.platform;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** CORS for the REST API: the configured origins, bearer tokens in headers, no cookies. */
@Configuration
public class WebConfig implements WebMvcConfigurer {
    private final ParleyProperties props;

    public WebConfig(ParleyProperties props) {
        this.props = props;
    }

    @Override
    public void addCorsMappings(CorsRegistry registry) {
        registry.addMapping("/api/**")
                .allowedOrigins(props.allowedOrigins().toArray(String[]::new))
                .allowedMethods("GET", "POST", "PUT", "DELETE", "OPTIONS")
                .allowedHeaders("authorization", "content-type")
                .exposedHeaders("Retry-After")
                .allowCredentials(false)
                .maxAge(600);
    }
}
