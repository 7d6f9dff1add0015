package dev.parley.user;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.stereotype.Component;

import dev.parley.platform.ApiException;
import dev.parley.platform.ParleyProperties;

/**
 * bcrypt password hashing; {@link #burn} spends the same time when there is no hash to check.
 *
 * <p>Hashing runs on a small pool of platform threads (one fewer than the cores), never on the
 * caller's virtual thread: a CPU-bound virtual thread pins its carrier, and with two carriers a
 * burst of logins would stall every other request, socket acks included. When the pool's queue is
 * full the caller gets 503 with Retry-After instead of waiting without bound.
 */
@Component
public class PasswordHasher {
    private final BCryptPasswordEncoder encoder;
    private final String dummyHash;
    private final ThreadPoolExecutor pool;

    public PasswordHasher(ParleyProperties props, @Value("${parley.auth.hash-queue:64}") int queue,
                          @Value("${parley.auth.hash-threads:0}") int configuredThreads) {
        this.encoder = new BCryptPasswordEncoder(props.auth().bcryptCost());
        this.dummyHash = encoder.encode("parley-timing-equaliser");
        int threads = configuredThreads > 0 ? configuredThreads
                : Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
                Thread.ofPlatform().name("bcrypt-", 0).daemon().factory(), new ThreadPoolExecutor.AbortPolicy());
    }

    public String hash(String password) {
        return onPool(() -> encoder.encode(bcryptInput(password)));
    }

    public boolean matches(String password, String hash) {
        if (hash == null || hash.isEmpty()) {
            burn(password);
            return false;
        }
        return onPool(() -> encoder.matches(bcryptInput(password), hash));
    }

    /** Same cost as a real check, so an unknown email answers as slowly as a wrong password. */
    public void burn(String password) {
        onPool(() -> encoder.matches(bcryptInput(password == null ? "" : password), dummyHash));
    }

    private <T> T onPool(Supplier<T> work) {
        Future<T> future;
        try {
            future = pool.submit(work::get);
        } catch (RejectedExecutionException busy) {
            throw ApiException.unavailable("Server busy, try again shortly", Duration.ofSeconds(1));
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new IllegalStateException("Interrupted while hashing", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }

    @PreDestroy
    void close() {
        pool.shutdown();
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
