package dev.parley.platform.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;

/**
 * One PostgreSQL cluster in a data directory, run as a child process of the JVM with the settings
 * of a real deployment: every commit reaches the disk before it is acknowledged, connections need
 * a password (SCRAM), TCP only on 127.0.0.1, and the Unix socket inside the data directory
 * (0700) instead of /tmp.
 *
 * <p>Data directories written by earlier versions (initdb {@code -A trust}, no passwords) are
 * upgraded in place: the superuser password is set in single-user mode, which listens on
 * nothing, before the server is started with password authentication.
 */
final class PostgresServer {
    static final String SUPERUSER = "postgres";
    /** First line of the pg_hba.conf this class writes; any other file is from an older version. */
    static final String HBA_MARKER = "# Managed by Parley (platform/embedded): rewritten at every start.";
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final Duration SHUTDOWN = Duration.ofSeconds(60);

    private final Path home;
    private final Path pgData;
    private final Path logFile;
    private final String superuserPassword;
    private final Log log;
    private Process postmaster;
    private Process watchdog;
    private int port;

    PostgresServer(Path home, Path pgData, Path logFile, String superuserPassword, Log log) {
        this.home = home;
        this.pgData = pgData;
        this.logFile = logFile;
        this.superuserPassword = superuserPassword;
        this.log = log;
    }

    /**
     * Stops a server that a previous, killed, Parley left running on this data directory. Its
     * postmaster.pid names it; fast shutdown rolls back what was in flight and keeps everything
     * committed.
     */
    static void stopLeftover(Path pgData, Log log) throws IOException {
        var leftover = ChildProcesses.leftover(pgData.resolve("postmaster.pid"), pgData);
        if (leftover.isPresent()) {
            log.warn("PostgreSQL (pid " + leftover.get().pid() + ") from an earlier run is still running on " + pgData + "; stopping it");
            ChildProcesses.stop(leftover.get(), "INT", SHUTDOWN, "Leftover PostgreSQL", log);
        }
        // Backends of a killed postmaster outlive it for a moment and still hold its shared memory.
        ChildProcesses.awaitNoneIn(pgData, Duration.ofSeconds(10));
    }

    void start() throws IOException {
        if (!Files.exists(pgData.resolve("PG_VERSION"))) {
            initdb();
        } else if (!managedHba()) {
            setSuperuserPasswordOffline();
        }
        writeHba();
        port = EmbeddedServices.freePort();
        List<String> args = new ArrayList<>(List.of("-D", pgData.toString(), "-p", Integer.toString(port)));
        for (String setting : settings()) {
            args.add("-c");
            args.add(setting);
        }
        postmaster = new ProcessBuilder(ChildProcesses.command(true, home.resolve("bin/postgres"), args.toArray(String[]::new)))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        watchdog = ChildProcesses.watchdog(postmaster.pid(), "INT", pgData);
        awaitReady();
    }

    /** Durable and private: what a packaged PostgreSQL does by default, made explicit. */
    private List<String> settings() {
        return List.of(
                "listen_addresses=127.0.0.1",
                "unix_socket_directories=" + socketDirectory(),
                "unix_socket_permissions=0700",
                "fsync=on",
                "synchronous_commit=on",
                "full_page_writes=on",
                "password_encryption=scram-sha-256",
                "max_connections=100");
    }

    /**
     * The data directory (0700) holds the socket; a Unix socket path is limited to 107 bytes, so a
     * very deep data directory gets no socket at all (TCP on 127.0.0.1 only).
     */
    private String socketDirectory() {
        String dir = pgData.toString();
        // On the command line a list element is quoted with double quotes (the conf-file quotes
        // are not parsed there).
        return dir.length() + "/.s.PGSQL.65535.lock".length() <= 107 ? '"' + dir.replace("\"", "\"\"") + '"' : "";
    }

    int port() { return port; }

    /** A superuser connection to {@code database}, for setting up roles and ownership. */
    Connection connectAsSuperuser(String database) throws SQLException {
        return connect(database, SUPERUSER, superuserPassword);
    }

    Connection connect(String database, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(jdbcUrl(database), p);
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    synchronized void stop() {
        if (watchdog != null) {
            watchdog.destroyForcibly(); // it must not signal a pid that may be reused after the stop
            watchdog = null;
        }
        if (postmaster != null) {
            try {
                ChildProcesses.stop(postmaster.toHandle(), "INT", SHUTDOWN, "Embedded PostgreSQL", log);
            } catch (IOException e) {
                log.warn("Stopping embedded PostgreSQL failed", e);
                postmaster.destroyForcibly();
            }
            postmaster = null;
        }
    }

    private void initdb() throws IOException {
        // Into a scratch directory first: a run killed half way through never leaves a data
        // directory that looks initialised but is not.
        Path scratch = pgData.resolveSibling(pgData.getFileName() + ".initdb");
        PostgresBinaries.deleteTree(scratch, log);
        Path pwfile = pgData.resolveSibling(pgData.getFileName() + ".initdb-pw");
        Files.deleteIfExists(pwfile);
        Files.createFile(pwfile, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(pwfile, superuserPassword + "\n");
            run("initdb", ChildProcesses.command(true, home.resolve("bin/initdb"),
                    "-D", scratch.toString(), "-U", SUPERUSER, "--pwfile=" + pwfile,
                    "--auth=scram-sha-256", "-E", "UTF-8"), null);
        } finally {
            Files.deleteIfExists(pwfile);
        }
        if (Files.exists(pgData)) {
            try (var children = Files.list(pgData)) {
                if (children.findAny().isPresent()) throw new IOException(pgData + " is not empty but holds no PostgreSQL cluster");
            }
            Files.delete(pgData);
        }
        Files.move(scratch, pgData, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Earlier versions let anyone on 127.0.0.1 in as the superuser without a password. Set one
     * with the server in single-user mode, which opens no socket, so there is never a moment
     * where the new password is known but the old door still open.
     */
    private void setSuperuserPasswordOffline() throws IOException {
        log.info("Upgrading " + pgData + " to password authentication");
        String sql = "ALTER ROLE " + SUPERUSER + " WITH PASSWORD '" + superuserPassword.replace("'", "''") + "';\n";
        run("postgres --single", ChildProcesses.command(true, home.resolve("bin/postgres"),
                "--single", "-D", pgData.toString(), "-c", "unix_socket_directories=", "-c", "listen_addresses=",
                SUPERUSER), sql);
    }

    private boolean managedHba() throws IOException {
        Path hba = pgData.resolve("pg_hba.conf");
        return Files.exists(hba) && Files.readAllLines(hba).stream().findFirst().orElse("").equals(HBA_MARKER);
    }

    private void writeHba() throws IOException {
        String hba = HBA_MARKER + "\n"
                + "# Every connection needs a password; the passwords are in the files next to this directory.\n"
                + "local all all scram-sha-256\n"
                + "host  all all 127.0.0.1/32 scram-sha-256\n"
                + "host  all all ::1/128 scram-sha-256\n";
        Path tmp = pgData.resolve("pg_hba.conf.tmp");
        Files.writeString(tmp, hba);
        Files.move(tmp, pgData.resolve("pg_hba.conf"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!postmaster.isAlive()) {
                throw new IOException("Embedded PostgreSQL exited with " + postmaster.exitValue() + "; see " + logFile);
            }
            try (Connection c = connectAsSuperuser("template1")) {
                return;
            } catch (SQLException e) {
                last = e;
                if ("28P01".equals(e.getSQLState())) {
                    throw new IOException("Embedded PostgreSQL rejected the superuser password in "
                            + EmbeddedServices.SUPERUSER_PASSWORD_FILE + " next to " + pgData, e);
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        throw new IOException("Embedded PostgreSQL did not accept connections in " + STARTUP.toSeconds() + " s; see " + logFile, last);
    }

    private void run(String what, List<String> command, String stdin) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        try {
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(what + " did not finish in 5 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) throw new IOException(what + " failed with exit code " + p.exitValue() + "; see " + logFile);
    }
}
