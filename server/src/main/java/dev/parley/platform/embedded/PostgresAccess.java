package dev.parley.platform.embedded;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.apache.commons.logging.Log;

/**
 * Gives the application its own login: role {@value #ROLE} (not a superuser, cannot create roles
 * or databases) owning database {@value #DATABASE} and everything in it. Run as the superuser on
 * every start; each step does nothing when already done, so a start that was killed half way
 * finishes the job next time.
 *
 * <p>Earlier versions kept the application's tables in the maintenance database
 * {@code postgres}, owned by the superuser: that database is renamed to {@value #DATABASE}
 * (nothing is copied) and its objects are handed to the role.
 */
final class PostgresAccess {
    static final String ROLE = "parley";
    static final String DATABASE = "parley";

    private PostgresAccess() {}

    static void grant(PostgresServer server, String rolePassword, Log log) throws SQLException {
        try (Connection c = server.connectAsSuperuser("template1"); Statement st = c.createStatement()) {
            String password = literal(rolePassword);
            String attributes = " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD " + password;
            st.execute(exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", ROLE)
                    ? "ALTER ROLE " + ROLE + " WITH" + attributes
                    : "CREATE ROLE " + ROLE + attributes);
            if (!exists(c, "SELECT 1 FROM pg_database WHERE datname = ?", DATABASE)) {
                if (holdsApplicationData(server, "postgres")) {
                    log.info("Moving Parley's tables from database postgres to database " + DATABASE + " owned by role " + ROLE);
                    st.execute("ALTER DATABASE postgres RENAME TO " + DATABASE);
                } else {
                    st.execute("CREATE DATABASE " + DATABASE + " OWNER " + ROLE + " TEMPLATE template0");
                }
            }
            if (!exists(c, "SELECT 1 FROM pg_database WHERE datname = ?", "postgres")) {
                st.execute("CREATE DATABASE postgres TEMPLATE template0"); // the usual maintenance database
            }
            st.execute("ALTER DATABASE " + DATABASE + " OWNER TO " + ROLE);
            st.execute("REVOKE ALL ON DATABASE " + DATABASE + " FROM PUBLIC");
        }
        try (Connection c = server.connectAsSuperuser(DATABASE); Statement st = c.createStatement()) {
            st.execute(HAND_OVER_OBJECTS);
        }
    }

    private static boolean holdsApplicationData(PostgresServer server, String database) throws SQLException {
        try (Connection c = server.connectAsSuperuser(database)) {
            return exists(c, "SELECT 1 WHERE to_regclass('public.flyway_schema_history') IS NOT NULL", null);
        }
    }

    /**
     * Tables (their indexes and identity sequences follow), free-standing sequences, views,
     * routines and types in schema public that someone else owns; members of extensions
     * (pg_trgm) stay with the extension.
     */
    private static final String HAND_OVER_OBJECTS = """
            DO $$
            DECLARE r record;
            BEGIN
              FOR r IN
                SELECT c.oid::regclass AS name,
                       CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                                      WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END AS kind
                FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace
                  AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
                  AND c.relowner <> 'parley'::regrole
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                  AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
                ORDER BY c.relkind = 'S'
              LOOP
                EXECUTE format('ALTER %s %s OWNER TO parley', r.kind, r.name);
              END LOOP;
              FOR r IN
                SELECT p.oid::regprocedure AS name FROM pg_proc p
                WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> 'parley'::regrole
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                                  AND d.objid = p.oid AND d.deptype = 'e')
              LOOP
                EXECUTE format('ALTER ROUTINE %s OWNER TO parley', r.name);
              END LOOP;
              FOR r IN
                SELECT t.oid::regtype AS name FROM pg_type t
                WHERE t.typnamespace = 'public'::regnamespace AND t.typowner <> 'parley'::regrole
                  AND t.typtype IN ('e', 'd', 'r') AND t.typelem = 0
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                                  AND d.objid = t.oid AND d.deptype = 'e')
              LOOP
                EXECUTE format('ALTER TYPE %s OWNER TO parley', r.name);
              END LOOP;
            END
            $$""";

    private static boolean exists(Connection c, String sql, String param) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (param != null) ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** A quoted SQL string literal (role passwords cannot be bind parameters). */
    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
