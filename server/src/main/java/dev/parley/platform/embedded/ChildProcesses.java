package dev.parley.platform.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.commons.logging.Log;

/**
 * Lifecycle helpers for the embedded servers, which are child processes of the JVM: signals,
 * a watchdog that stops a child when the JVM dies without running its shutdown hooks (SIGKILL,
 * OOM killer), and recognising a child left running by such a death.
 */
final class ChildProcesses {
    private ChildProcesses() {}

    /**
     * The command line for an embedded server or one of its tools. Each runs in a session of its
     * own ({@code setsid}), so the Ctrl-C that a terminal sends to Parley's whole process group
     * does not stop PostgreSQL or Redis before Parley has finished shutting down (Parley stops them
     * last). PostgreSQL refuses to run as root: as root it runs in a new user namespace where it is
     * not (as the zonky launcher does); files it writes still belong to the real user.
     */
    static List<String> command(boolean refusesRoot, Path binary, String... args) {
        List<String> cmd = new ArrayList<>();
        if (SETSID != null) cmd.add(SETSID);
        if (refusesRoot && runningAsRoot()) cmd.addAll(List.of("unshare", "-U"));
        cmd.add(binary.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** util-linux setsid, which execs in place (same pid) when started by the JVM. */
    private static final String SETSID = Stream.of("/usr/bin/setsid", "/bin/setsid")
            .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);

    private static boolean runningAsRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** Sends a POSIX signal by name ("INT", "TERM"); Java itself only sends TERM and KILL. */
    static void signal(long pid, String signal) throws IOException {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while signalling " + pid, e);
        }
    }

    /** Signals a process and waits for it to exit, killing it outright when it does not in time. */
    static void stop(ProcessHandle process, String signal, Duration grace, String what, Log log) throws IOException {
        if (!process.isAlive()) return;
        signal(process.pid(), signal);
        try {
            process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException slow) {
            log.warn(what + " (pid " + process.pid() + ") did not stop within " + grace.toSeconds() + " s of SIG" + signal + "; killing it");
            process.destroyForcibly();
            process.onExit().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e);
        }
    }

    /**
     * A still running process whose pid is recorded in {@code pidFile} (first line) and that works
     * in {@code dir}, so that a pid reused by an unrelated process is never taken for ours.
     */
    static Optional<ProcessHandle> leftover(Path pidFile, Path dir) throws IOException {
        if (!Files.isRegularFile(pidFile)) return Optional.empty();
        String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").strip();
        long pid;
        try {
            pid = Long.parseLong(first);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> worksIn(p, dir));
    }

    /**
     * Whether the process's working directory is {@code dir}: PostgreSQL and Redis both change
     * into their data directory, and both rewrite their command line (Redis drops its options).
     */
    static boolean worksIn(ProcessHandle process, Path dir) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "cwd")).equals(dir);
        } catch (IOException | UnsupportedOperationException e) {
            return process.info().commandLine().map(cmd -> cmd.contains(dir.toString())).orElse(false);
        }
    }

    /** Waits (up to {@code max}) until no process works in {@code dir}. */
    static void awaitNoneIn(Path dir, Duration max) {
        for (ProcessHandle p : ProcessHandle.allProcesses().filter(p -> worksIn(p, dir)).toList()) {
            p.onExit().completeOnTimeout(p, max.toMillis(), TimeUnit.MILLISECONDS).join();
        }
    }

    /**
     * Starts {@code sh} blocked on a pipe from this JVM: the pipe closes when the JVM dies, however
     * it dies, and the watchdog then signals {@code pid}. The caller keeps the returned process
     * (the pipe must not be collected) and destroys it before stopping the child normally.
     */
    static Process watchdog(long pid, String signal, Path dataDir) throws IOException {
        // $2 (the data directory) is unused by the script; it names the watchdog in `ps`.
        return new ProcessBuilder(command(false, Path.of("/bin/sh"), "-c", "while read -r _; do :; done; kill -" + signal + " \"$1\"",
                "parley-watchdog", Long.toString(pid), dataDir.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }
}
