package dev.parley.platform;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;

/** A health check whose dependency hangs answers DOWN within its bound, and hung checks never pile up. */
class BoundedHealthIndicatorsTest {

    @Test
    void aHangingCheckIsDownWithinTheBoundAndIsSharedByLaterCalls() throws Exception {
        var release = new CountDownLatch(1);
        var started = new AtomicInteger();
        var bounded = new BoundedHealthIndicators.Bounded(() -> {
            started.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Health.up().build();
        }, Duration.ofMillis(300));
        long t0 = System.nanoTime();
        assertThat(bounded.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(bounded.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3)); // 2 x 300 ms + slack
        assertThat(started.get()).as("the second call waited for the check already running").isEqualTo(1);
        release.countDown();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Status status = Status.DOWN;
        while (status != Status.UP && System.nanoTime() < deadline) status = bounded.health().getStatus();
        assertThat(status).isEqualTo(Status.UP);
    }

    @Test
    void aFailingCheckIsDown() {
        var bounded = new BoundedHealthIndicators.Bounded(() -> {
            throw new IllegalStateException("connection refused");
        }, Duration.ofMillis(500));
        assertThat(bounded.health().getStatus()).isEqualTo(Status.DOWN);
    }
}
