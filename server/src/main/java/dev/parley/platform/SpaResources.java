package dev.parley.platform;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.resource.AbstractResourceResolver;
import org.springframework.web.servlet.resource.EncodedResourceResolver;
import org.springframework.web.servlet.resource.PathResourceResolver;
import org.springframework.web.servlet.resource.ResourceResolverChain;

/**
 * Serves the built web client (classpath {@code static/}, produced by the web module) at {@code /}.
 * Deep links such as {@code /email/confirm-email?...} or {@code /c/42} fall back to index.html so the
 * SPA's router handles them; API, actuator and documentation paths never fall back.
 * <p>The web build writes Brotli and gzip variants next to each asset ({@code .br}, {@code .gz});
 * a browser that accepts one gets it with {@code Content-Encoding}, nothing is compressed per request.
 */
@Configuration
public class SpaResources implements WebMvcConfigurer {
    private static final String[] NEVER_SPA = {"api/", "actuator", "v3/", "swagger-ui", "socket.io"};

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        // Vite puts content-hashed files under assets/: safe to cache for a year.
        registry.addResourceHandler("/assets/**")
                .addResourceLocations("classpath:/static/assets/")
                .setCacheControl(CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable())
                // no resolution cache: it keys on the codings named, ignoring order and q=0, and would
                // hand one client's choice to the next (resolving a classpath entry is cheap, and
                // browsers keep these files for a year anyway)
                .resourceChain(false)
                .addResolver(new ServerPreferredEncoding())
                .addResolver(new EncodedResourceResolver())
                .addResolver(new PathResourceResolver());
        registry.addResourceHandler("/**")
                .addResourceLocations("classpath:/static/")
                .setCacheControl(CacheControl.noCache())
                .resourceChain(true)
                .addResolver(new SpaFallbackResolver());
    }

    /**
     * The encoded variants carry {@code Vary: Accept-Encoding}, but the identity body must too,
     * or a shared cache could hand it (or a compressed one) to the wrong client.
     */
    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
            @Override
            public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
                response.setHeader(HttpHeaders.VARY, HttpHeaders.ACCEPT_ENCODING);
                return true;
            }
        }).addPathPatterns("/assets/**");
    }

    /**
     * EncodedResourceResolver takes the first coding in the client's order (Chromium's
     * "gzip, deflate, br, zstd" would get gzip) and does not honour q=0. Present the accepted
     * codings in the server's order of preference (Brotli first), refused ones left out.
     */
    private static final class ServerPreferredEncoding extends AbstractResourceResolver {
        private static final List<String> PREFERRED = List.of("br", "gzip");

        @Override
        protected Resource resolveResourceInternal(HttpServletRequest request, String requestPath,
                                                   List<? extends Resource> locations, ResourceResolverChain chain) {
            if (request == null || request.getHeader(HttpHeaders.ACCEPT_ENCODING) == null) {
                return chain.resolveResource(request, requestPath, locations);
            }
            List<String> accepted = Arrays.stream(request.getHeader(HttpHeaders.ACCEPT_ENCODING).split(","))
                    .map(String::trim)
                    .filter(token -> !token.replace(" ", "").matches(".*;q=0(\\.0*)?$")) // q=0 means "not this one"
                    .map(token -> token.split(";")[0].trim().toLowerCase(Locale.ROOT))
                    .toList();
            String ordered = PREFERRED.stream().filter(accepted::contains).collect(Collectors.joining(", "));
            HttpServletRequest normalized = new HttpServletRequestWrapper(request) {
                @Override
                public String getHeader(String name) {
                    return HttpHeaders.ACCEPT_ENCODING.equalsIgnoreCase(name) ? ordered : super.getHeader(name);
                }
            };
            return chain.resolveResource(normalized, requestPath, locations);
        }

        @Override
        protected String resolveUrlPathInternal(String resourceUrlPath, List<? extends Resource> locations,
                                                ResourceResolverChain chain) {
            return chain.resolveUrlPath(resourceUrlPath, locations);
        }
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
