package dev.parley.platform;

import jakarta.servlet.http.HttpServletRequest;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Extension: what a browser client needs to know before it signs in. */
@RestController
@Tag(name = "Config", description = "Extension: public client settings")
public class ClientConfigController {
    private final ParleyProperties props;

    public ClientConfigController(ParleyProperties props) {
        this.props = props;
    }

    public record ClientConfig(String socketUrl, long accessTokenTtlSeconds, boolean requireEmailConfirmation,
                               Limits limits) {}
    public record Limits(int nameMin, int nameMax, int emailMax, int passwordMin, int passwordMax, int bioMax,
                         int messageMax) {}

    @GetMapping("/api/config")
    @Operation(summary = "socketUrl: where to open Socket.IO (same host on the socket port unless configured)")
    public ApiResponse<ClientConfig> config(HttpServletRequest request) {
        String socketUrl = props.socket().publicUrl();
        if (socketUrl == null || socketUrl.isBlank()) {
            String host = request.getServerName();
            if (host.contains(":") && !host.startsWith("[")) host = "[" + host + "]"; // IPv6 literal
            socketUrl = request.getScheme() + "://" + host + ":" + props.socket().port();
        }
        return ApiResponse.ok(new ClientConfig(socketUrl, props.jwt().accessTokenTtl().toSeconds(),
                props.auth().requireEmailConfirmation(),
                new Limits(Validate.NAME_MIN, Validate.NAME_MAX, Validate.EMAIL_MAX, Validate.PASSWORD_MIN,
                        Validate.PASSWORD_MAX, Validate.BIO_MAX, Validate.MESSAGE_MAX)));
    }
}
