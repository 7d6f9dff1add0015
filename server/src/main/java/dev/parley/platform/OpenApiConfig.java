package dev.parley.platform;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The published OpenAPI description, including the decisions taken where the contract is silent. */
@Configuration
public class OpenApiConfig {
    static final String DESCRIPTION = """
            Parley's REST API. Every body is the envelope `{statusCode, message, data?}`, errors add `error`
            (the reason phrase); `statusCode` equals the HTTP status. Authenticated endpoints take
            `Authorization: Bearer <accessToken>`; a missing, malformed, expired or revoked token gets 401.
            Live events travel over Socket.IO on its own port (`GET /api/config` names it).

            Decisions where the core contract is silent:
            - Refresh tokens look like `<sessionId>.<secret>` (256 random bits); only SHA-256 hashes are stored.
              Within 30 s of a rotation the previous token still yields a fresh pair (racing tabs); any older
              token is reuse: the session is revoked and its sockets disconnected.
            - Unknown body fields are ignored; a wrong JSON type or malformed JSON is 400; a body over 64 KiB is 413;
              unknown paths are 404 and wrong methods 405, all in the envelope.
            - Email links are single use and valid 24 h; a new request replaces the previous link of the same kind.
              A reset link is not spent when the new password is invalid (400).
            - `GET /api/user/is-exist` is false for deleted accounts; `GET /api/user/{id}/name` returns
              "Deleted account" for them (their messages stay visible).
            - `POST /api/user/search` trims the query and caps it at 100 characters; results: exact name match
              first, then shorter names, at most 50.
            - `DELETE /api/session/{sessionId}` answers 400 "Session not found" for a session that is not the caller's.
            - Rate limits answer 429 with `Retry-After` (seconds).
            """;

    @Bean
    OpenAPI parleyOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Parley API").version("1").description(DESCRIPTION))
                .components(new Components().addSecuritySchemes("bearer",
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWT")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"));
    }
}
