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
              Within 30 s of a rotation the previous token still yields a fresh pair (racing tabs); any of the 8
              tokens rotated before it is reuse: the session is revoked and its sockets disconnected. Only those
              are remembered: a still older token is refused (401) without revoking the session.
            - Unknown body fields are ignored; a wrong JSON type or malformed JSON is 400; a body over 64 KiB is 413;
              unknown paths are 404 and wrong methods 405, all in the envelope.
            - Email links are single use and valid 24 h; a new request replaces the previous link of the same kind.
              A reset link is not spent when the new password is invalid (400).
            - `GET /api/user/is-exist` is false for deleted accounts; `GET /api/user/{id}/name` returns
              "Deleted account" for them (their messages stay visible).
            - `POST /api/user/search` trims the query and caps it at 100 characters; results: exact name match
              first, then shorter names, at most 50.
            - `DELETE /api/session/{sessionId}` answers 400 "Session not found" for a session that is not the caller's.
            - Rate limits answer 429 with `Retry-After` (seconds). Per-address limits count an IPv6 client per /64.
              Failed logins are limited per account and address and per account overall, and only failures count
              (a success clears them); reset emails likewise, but over those budgets the answer stays 200 and
              nothing is mailed. `GET /api/user/{id}/name` and `/api/user/is-exist` are limited per address, name
              and bio changes per user.
            - Emails must be exactly one plain mailbox `local@domain` (ASCII, at most 254 characters; no display
              name, comment, quotes, angle brackets, group or list); stored trimmed with the domain lower-cased and
              compared case-insensitively. At login anything else is answered like an unknown email (401).
            - Names (2-20) and bios (at most 100, may be empty) are NFC-normalised and trimmed, counted in Unicode
              code points, and refuse control characters (newlines too), format characters (bidi overrides and
              isolates, zero-width characters) and separators: 400 "<field> contains invalid characters". The name
              "Deleted account" is reserved in any case.
            - Changing or resetting the password emails a notice to the account's address; a confirmed email
              change emails a notice to the old address.
            - The client address (sessions, limits) comes from `X-Forwarded-For` only when the peer is one of the
              configured trusted proxies (`parley.trusted-proxies`).
            - On this origin only health is public under `/actuator`; metrics are served on the management port.
              Swagger UI is off unless enabled.
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
