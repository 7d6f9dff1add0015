package dev.parley.platform;

import java.sql.SQLException;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.transaction.TransactionSystemException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failures are a dependency outage (503, retry) and which stay bugs (500) or client errors. */
class OutagesTest {

    @Test
    void databaseAndRedisUnreachableAreOutages() {
        assertThat(Outages.isOutage(new CannotGetJdbcConnectionException("pool timeout"))).isTrue();
        assertThat(Outages.isOutage(new RedisConnectionFailureException("refused"))).isTrue();
        // the connection broke mid-statement (PostgreSQL restarted): SQLState class 08 / 57P01
        assertThat(Outages.isOutage(new UncategorizedSQLException("send", "SELECT 1", new SQLException("I/O error", "08006")))).isTrue();
        assertThat(Outages.isOutage(new UncategorizedSQLException("send", "SELECT 1", new SQLException("terminating", "57P01")))).isTrue();
        // a rollback on a connection the restarted database dropped (the pool's closed stand-in)
        assertThat(Outages.isOutage(new TransactionSystemException("JDBC rollback failed", new SQLException("Connection is closed")))).isTrue();
        // a node shutting down
        assertThat(Outages.isOutage(new IllegalStateException("LettuceConnectionFactory is STOPPING"))).isTrue();
        assertThat(Outages.isOutage(new IllegalStateException("LettuceConnectionFactory was destroyed and cannot be used anymore"))).isTrue();
        // the send batcher gave up waiting for a stuck writer
        assertThat(Outages.isOutage(new IllegalStateException("took too long", new TimeoutException()))).isTrue();
    }

    @Test
    void bugsAndBadDataAreNot() {
        assertThat(Outages.isOutage(new NullPointerException())).isFalse();
        assertThat(Outages.isOutage(new DataIntegrityViolationException("duplicate key"))).isFalse();
        assertThat(Outages.isOutage(new UncategorizedSQLException("q", "SELECT x", new SQLException("syntax", "42601")))).isFalse();
        assertThat(Outages.asUnavailable(new IllegalArgumentException())).isNull();
    }

    @Test
    void anOutageIsA503WithRetryAfter() {
        var e = Outages.asUnavailable(new RedisConnectionFailureException("refused"));
        assertThat(e.status().value()).isEqualTo(503);
        assertThat(e.retryAfter()).isPositive();
    }
}
