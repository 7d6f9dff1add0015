package dev.parley.platform.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/** A random password kept, readable by its owner only, next to the data it protects. */
final class SecretFile {
    private static final SecureRandom RANDOM = new SecureRandom();

    private SecretFile() {}

    /** The secret in {@code file}, created (0600, 192 random bits as hex) if missing. */
    static String readOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] b = new byte[24];
            RANDOM.nextBytes(b);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, HexFormat.of().formatHex(b) + "\n");
            // Whole or absent: a crash never leaves an empty password file behind.
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return Files.readString(file).strip();
    }

    /** A directory only its owner can enter, created if missing, tightened if it exists. */
    static void privateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
}
