package dev.parley.platform.embedded;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

import org.apache.commons.logging.Log;

/**
 * The PostgreSQL binaries shipped in the zonky binaries artifact, unpacked once under the data
 * directory (one subdirectory per archive digest). Not under /tmp: a directory there can be
 * planted by another local user before Parley first runs.
 */
final class PostgresBinaries {
    private PostgresBinaries() {}

    /** The unpacked installation (with bin/ and lib/) under {@code parent}, unpacking it if needed. */
    static Path unpackUnder(Path parent, Log log) throws IOException {
        byte[] archive;
        try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", architecture())) {
            archive = in.readAllBytes();
        }
        Path home = parent.resolve(digest(archive).substring(0, 16));
        if (Files.isExecutable(home.resolve("bin/postgres"))) return home;

        long t0 = System.nanoTime();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "unpacking-");
        try {
            untarXz(archive, tmp);
            Files.move(tmp, home, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteTree(tmp, log);
        }
        removeOtherVersions(parent, home, log);
        log.info("Unpacked PostgreSQL binaries into " + home + " (" + (System.nanoTime() - t0) / 1_000_000 + " ms)");
        return home;
    }

    private static String architecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64" -> "arm_64";
            default -> arch;
        };
    }

    private static void untarXz(byte[] archive, Path target) throws IOException {
        try (var tar = new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(new ByteArrayInputStream(archive))))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path out = target.resolve(entry.getName()).normalize();
                if (!out.startsWith(target)) throw new IOException("archive entry outside its directory: " + entry.getName());
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(out.getParent());
                    Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(tar, out);
                    Files.setPosixFilePermissions(out, permissions(entry.getMode()));
                }
            }
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        var perms = java.util.EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) perms.add(order[bit]);
        }
        perms.remove(PosixFilePermission.OTHERS_WRITE);
        perms.remove(PosixFilePermission.GROUP_WRITE);
        return perms;
    }

    private static void removeOtherVersions(Path parent, Path keep, Log log) {
        try (Stream<Path> children = Files.list(parent)) {
            children.filter(p -> !p.equals(keep) && Files.isDirectory(p)).forEach(p -> deleteTree(p, log));
        } catch (IOException e) {
            log.warn("Could not remove old PostgreSQL binaries in " + parent, e);
        }
    }

    static void deleteTree(Path root, Log log) {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            log.warn("Could not delete " + root, e);
        }
    }

    private static String digest(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
