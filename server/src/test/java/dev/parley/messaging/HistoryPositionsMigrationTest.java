package dev.parley.messaging;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import dev.parley.support.TestServices;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * V3 on a database that already holds messages (ids interleaved across dialogs, some rows already
 * hard-deleted): every dialog's rows get positions 1..n in id order, and offset pages by position
 * equal plain OFFSET right after the migration.
 */
class HistoryPositionsMigrationTest {

    @Test
    void existingMessagesGetDensePositionsInIdOrder() throws SQLException {
        var ds = new PGSimpleDataSource();
        ds.setUrl(TestServices.createDatabase("parley_v3_backfill_" + TestServices.RUN_ID));
        ds.setUser(TestServices.PG_USER);
        Flyway.configure().dataSource(ds).target("2").load().migrate();
        try (Connection c = ds.getConnection(); var st = c.createStatement()) {
            st.execute("""
                    INSERT INTO users (name, email, password_hash, email_confirmed)
                    SELECT 'u' || g, 'u' || g || '@x.test', 'x', true FROM generate_series(1, 10) g;
                    INSERT INTO conversations (kind, direct_low, direct_high) SELECT 1, g, g + 5 FROM generate_series(1, 5) g;
                    INSERT INTO messages (conversation_id, sender_id, receiver_id, body)
                    SELECT 1 + (g * 7919) % 5, 1, 6, 'm' || g FROM generate_series(1, 3000) g;
                    DELETE FROM messages WHERE id % 7 = 0 OR id % 11 = 3;""");
        }
        Flyway.configure().dataSource(ds).load().migrate();
        try (Connection c = ds.getConnection(); var st = c.createStatement()) {
            var rs = st.executeQuery("""
                    SELECT count(*), count(*) FILTER (WHERE pos <> rn)
                    FROM (SELECT pos, row_number() OVER (PARTITION BY conversation_id ORDER BY id) AS rn FROM messages) s""");
            rs.next();
            assertThat(rs.getLong(1)).isGreaterThan(2000);
            assertThat(rs.getLong(2)).as("rows whose position is not their rank in id order").isZero();
            for (int conv = 1; conv <= 5; conv++) {
                for (int skip = 0; skip <= 700; skip += 37) {
                    assertThat(ids(c, "SELECT id FROM messages WHERE conversation_id = " + conv
                            + " AND pos <= history_page_top(" + conv + ", " + skip + ") ORDER BY pos DESC LIMIT 20"))
                            .as("dialog %d skip %d", conv, skip)
                            .isEqualTo(ids(c, "SELECT id FROM messages WHERE conversation_id = " + conv
                                    + " ORDER BY id DESC LIMIT 20 OFFSET " + skip));
                }
            }
        }
    }

    private static List<Long> ids(Connection c, String sql) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getLong(1));
        }
        return out;
    }
}
