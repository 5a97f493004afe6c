package dev.meshboot.images.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Crash-safe file writes: write a temporary file beside the target, fsync it, rename it into place. A crash leaves
 * either the old state or the whole new file under the real name, never a partial one; a stray temporary file is
 * all a crash can leave, and it never carries a real name.
 */
public final class AtomicFiles {
    private static final FileAttribute<Set<PosixFilePermission>> READABLE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"));

    private AtomicFiles() {}

    /** Writes {@code data} to {@code target} atomically, staging it in {@code tmpDir} (same file system). */
    public static void write(Path tmpDir, Path target, byte[] data) throws IOException {
        // Chunks and manifests are public content (they are served to booting machines), hence 0644.
        Path tmp = Files.createTempFile(tmpDir, target.getFileName().toString(), ".tmp", READABLE);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** fsyncs a directory, so the renames into it survive a power loss. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
