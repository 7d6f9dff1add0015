package dev.parley.platform;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.data.redis.RedisSystemException;

/**
 * Tells a dependency outage (PostgreSQL or Redis unreachable, restarting, timing out) from a bug.
 * An outage is answered {@code 503} with {@code Retry-After} (REST) or an ack with statusCode 503
 * (socket): the client retries (with the same clientMessageID for a send) and nothing is lost.
 * Anything else stays a 500.
 */
public final class Outages {
    /** How long clients are asked to wait before retrying. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private Outages() {}

    /** The 503 to answer when {@code e} is (caused by) a dependency outage, else null. */
    public static ApiException asUnavailable(Throwable e) {
        return isOutage(e) ? ApiException.unavailable("A service Parley depends on is unavailable, try again shortly", RETRY_AFTER) : null;
    }

    public static boolean isOutage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DataAccessResourceFailureException // no connection (JDBC or Redis), incl. RedisConnectionFailureException
                    || t instanceof TransientDataAccessException // incl. deadlocks and lock timeouts: a retry succeeds
                    || t instanceof QueryTimeoutException
                    || t instanceof RecoverableDataAccessException
                    || t instanceof RedisSystemException
                    || t instanceof SQLTransientException
                    || t instanceof SQLRecoverableException
                    || t instanceof java.net.ConnectException
                    || t instanceof java.util.concurrent.TimeoutException
                    || isLettuce(t)) {
                return true;
            }
            // this node is shutting down (its Redis client or pool already stopping): to the client
            // that is "unavailable here, try again" — another node, or this one after its restart
            if (t instanceof IllegalStateException && t.getMessage() != null
                    && (t.getMessage().contains("is STOPPING") || t.getMessage().contains("has been STOPPED")
                        || t.getMessage().contains("has been closed") || t.getMessage().contains("was destroyed"))) {
                return true;
            }
            // the pool's stand-in for a connection the database dropped (e.g. a rollback after a restart)
            if (t instanceof SQLException sql && "Connection is closed".equals(sql.getMessage())) return true;
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                // 08 connection exception, 57P0x shutdown / cannot connect now, 53 insufficient resources
                if (state.startsWith("08") || state.startsWith("57P0") || state.startsWith("53")) return true;
            }
        }
        return false;
    }

    private static boolean isLettuce(Throwable t) {
        return t.getClass().getName().startsWith("io.lettuce.core.");
    }
}
