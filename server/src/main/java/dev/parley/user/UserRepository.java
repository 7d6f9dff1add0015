package dev.parley.user;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for the users table. Emails are matched with lower(), backed by a unique index. */
@Repository
public class UserRepository {
    static final String DELETED_NAME = dev.parley.platform.Validate.DELETED_ACCOUNT;

    private final JdbcClient jdbc;

    public UserRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts a user; empty when the email is already taken (unique index). */
    public Optional<Long> insert(String name, String email, String passwordHash, boolean confirmed) {
        return jdbc.sql("""
                        INSERT INTO users (name, email, password_hash, email_confirmed)
                        VALUES (:name, :email, :hash, :confirmed)
                        ON CONFLICT DO NOTHING RETURNING id""")
                .param("name", name).param("email", email).param("hash", passwordHash).param("confirmed", confirmed)
                .query(Long.class).optional();
    }

    public Optional<User> findById(long id) {
        return jdbc.sql("SELECT * FROM users WHERE id = :id").param("id", id).query(UserRepository::map).optional();
    }

    public Optional<User> findByEmail(String email) {
        return jdbc.sql("SELECT * FROM users WHERE lower(email) = lower(:email)")
                .param("email", email).query(UserRepository::map).optional();
    }

    public boolean emailTaken(String email) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower(:email))")
                .param("email", email).query(Boolean.class).single();
    }

    public boolean existsActive(long id) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM users WHERE id = :id AND NOT deleted)")
                .param("id", id).query(Boolean.class).single();
    }

    public Optional<String> nameOf(long id) {
        return jdbc.sql("SELECT name FROM users WHERE id = :id").param("id", id).query(String.class).optional();
    }

    public record SearchHit(long id, String name) {}

    public List<SearchHit> searchByName(String fragment, long excludeId, int limit) {
        String pattern = "%" + fragment.toLowerCase(java.util.Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        return jdbc.sql("""
                        SELECT id, name FROM users
                        WHERE NOT deleted AND id <> :me AND lower(name) LIKE :pattern
                        ORDER BY lower(name) = lower(:exact) DESC, length(name), id
                        LIMIT :limit""")
                .param("me", excludeId).param("pattern", pattern).param("exact", fragment).param("limit", limit)
                .query((rs, i) -> new SearchHit(rs.getLong("id"), rs.getString("name"))).list();
    }

    public void confirmEmail(long id) {
        jdbc.sql("UPDATE users SET email_confirmed = true, updated_at = now() WHERE id = :id AND NOT deleted")
                .param("id", id).update();
    }

    public void updatePassword(long id, String hash) {
        jdbc.sql("UPDATE users SET password_hash = :hash, updated_at = now() WHERE id = :id")
                .param("id", id).param("hash", hash).update();
    }

    public void updateName(long id, String name) {
        jdbc.sql("UPDATE users SET name = :name, updated_at = now() WHERE id = :id")
                .param("id", id).param("name", name).update();
    }

    public void updateBio(long id, String bio) {
        jdbc.sql("UPDATE users SET bio = :bio, updated_at = now() WHERE id = :id")
                .param("id", id).param("bio", bio).update();
    }

    /** Sets a new (confirmed) email; false when another account took it meanwhile. */
    public boolean updateEmail(long id, String email) {
        return jdbc.sql("""
                        UPDATE users SET email = :email, email_confirmed = true, updated_at = now()
                        WHERE id = :id AND NOT deleted
                          AND NOT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower(:email) AND id <> :id)""")
                .param("id", id).param("email", email).update() == 1;
    }

    /** Anonymises the account: the row stays for the other party's history, the person is gone. */
    public void anonymise(long id) {
        jdbc.sql("""
                        UPDATE users SET name = :name, email = NULL, password_hash = '', bio = '',
                               deleted = true, updated_at = now()
                        WHERE id = :id""")
                .param("id", id).param("name", DELETED_NAME).update();
    }

    public void touchLastSeen(long id, Instant when) {
        jdbc.sql("UPDATE users SET last_seen_at = :t WHERE id = :id")
                .param("id", id).param("t", Timestamp.from(when)).update();
    }

    private static User map(ResultSet rs, int row) throws SQLException {
        Timestamp seen = rs.getTimestamp("last_seen_at");
        return new User(rs.getLong("id"), rs.getString("name"), rs.getString("email"), rs.getString("password_hash"),
                rs.getString("bio"), rs.getBoolean("email_confirmed"), rs.getBoolean("deleted"),
                rs.getTimestamp("created_at").toInstant(), seen == null ? null : seen.toInstant());
    }
}
