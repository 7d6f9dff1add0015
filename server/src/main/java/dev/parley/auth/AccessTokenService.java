package dev.parley.auth;

import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import org.springframework.stereotype.Service;

import dev.parley.platform.ParleyProperties;
import dev.parley.platform.ServerSecret;

/**
 * Issues and verifies HS256 access tokens. Claims: {@code sub} (user id as string),
 * {@code userID} (number, for the core client), {@code sid} (session id), {@code iat}, {@code exp}.
 * Verification here checks only signature and expiry; whether the session is still alive is
 * {@link dev.parley.session.SessionStore}'s answer.
 */
@Service
public class AccessTokenService {
    private final MACSigner signer;
    private final MACVerifier verifier;
    private final ParleyProperties props;
    private final Clock clock;

    public AccessTokenService(ParleyProperties props, ServerSecret serverSecret, Clock clock) {
        this.props = props;
        this.clock = clock;
        byte[] secret = serverSecret.bytes();
        try {
            this.signer = new MACSigner(secret);
            this.verifier = new MACVerifier(secret);
        } catch (JOSEException e) {
            throw new IllegalStateException("parley.jwt.secret must be at least 32 bytes", e);
        }
    }

    public record Claims(long userId, String sessionId, Instant expiresAt) {}

    public String issue(long userId, String sessionId) {
        Instant now = clock.instant();
        var claims = new JWTClaimsSet.Builder()
                .subject(Long.toString(userId))
                .claim("userID", userId)
                .claim("sid", sessionId)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(props.jwt().accessTokenTtl())))
                .build();
        var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /** The token's claims if it is well-formed, HS256-signed by us and not expired. */
    public Optional<Claims> verify(String token) {
        if (token == null || token.isEmpty() || token.length() > 4096) return Optional.empty();
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                return Optional.empty();
            }
            JWTClaimsSet c = jwt.getJWTClaimsSet();
            Date exp = c.getExpirationTime();
            String sid = c.getStringClaim("sid");
            if (exp == null || sid == null || c.getSubject() == null) return Optional.empty();
            if (!exp.toInstant().isAfter(clock.instant())) return Optional.empty();
            return Optional.of(new Claims(Long.parseLong(c.getSubject()), sid, exp.toInstant()));
        } catch (ParseException | JOSEException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Accepts {@code "Bearer x"}, {@code "bearer x"} or a bare token. */
    public static String stripBearer(String value) {
        if (value == null) return null;
        String v = value.strip();
        if (v.regionMatches(true, 0, "Bearer ", 0, 7)) v = v.substring(7).strip();
        return v;
    }
}
