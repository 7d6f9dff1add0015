package dev.parley.platform;

import java.io.IOException;
import java.time.Duration;

import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.resource.PathResourceResolver;

/**
 * Serves the built web client (classpath {@code static/}, produced by the web module) at {@code /}.
 * Deep links such as {@code /email/confirm-email?...} or {@code /c/42} fall back to index.html so the
 * SPA's router handles them; API, actuator and documentation paths never fall back.
 */
@Configuration
public class SpaResources implements WebMvcConfigurer {
    private static final String[] NEVER_SPA = {"api/", "actuator", "v3/", "swagger-ui", "socket.io"};

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        // Vite puts content-hashed files under assets/: safe to cache for a year.
        registry.addResourceHandler("/assets/**")
                .addResourceLocations("classpath:/static/assets/")
                .setCacheControl(CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable());
        registry.addResourceHandler("/**")
                .addResourceLocations("classpath:/static/")
                .setCacheControl(CacheControl.noCache())
                .resourceChain(true)
                .addResolver(new SpaFallbackResolver());
    }

    private static final class SpaFallbackResolver extends PathResourceResolver {
        @Override
        protected Resource getResource(String path, Resource location) throws IOException {
            Resource found = super.getResource(path, location);
            if (found != null) return found;
            for (String prefix : NEVER_SPA) {
                if (path.startsWith(prefix)) return null;
            }
            if (path.substring(path.lastIndexOf('/') + 1).contains(".")) return null; // a missing file stays 404
            Resource index = new ClassPathResource("static/index.html");
            return index.exists() ? index : null;
        }
    }
}
