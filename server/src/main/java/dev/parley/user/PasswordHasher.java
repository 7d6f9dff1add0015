package dev.parley.user;

import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.stereotype.Component;

import dev.parley.platform.ParleyProperties;

/** bcrypt password hashing; {@link #burn} spends the same time when there is no hash to check. */
@Component
public class PasswordHasher {
    private final BCryptPasswordEncoder encoder;
    private final String dummyHash;

    public PasswordHasher(ParleyProperties props) {
        this.encoder = new BCryptPasswordEncoder(props.auth().bcryptCost());
        this.dummyHash = encoder.encode("parley-timing-equaliser");
    }

    public String hash(String password) {
        return encoder.encode(bcryptInput(password));
    }

    public boolean matches(String password, String hash) {
        if (hash == null || hash.isEmpty()) {
            burn(password);
            return false;
        }
        return encoder.matches(bcryptInput(password), hash);
    }

    /** Same cost as a real check, so an unknown email answers as slowly as a wrong password. */
    public void burn(String password) {
        encoder.matches(bcryptInput(password == null ? "" : password), dummyHash);
    }

    /**
     * bcrypt reads at most 72 bytes (and Spring's encoder refuses longer input), while passwords
     * may be 100 characters of any script. Longer ones are pre-hashed to 44 ASCII characters.
     */
    private static String bcryptInput(String password) {
        byte[] utf8 = password.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (utf8.length <= 72) return password;
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(utf8);
            return java.util.Base64.getEncoder().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
