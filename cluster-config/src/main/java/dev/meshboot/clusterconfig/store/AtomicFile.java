package dev.meshboot.clusterconfig.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a file so that after a crash at any moment it holds either the old or the new content, and once this
 * returns the new content survives a power loss: write a temporary file beside it, fsync it, rename it over the
 * target (atomic within a file system, POSIX rename(2)), then fsync the directory so the rename itself is durable.
 */
final class AtomicFile {
    /** Prefix of temporary files; one left behind was never renamed, so its write was never acknowledged. */
    static final String TMP_PREFIX = ".tmp.";

    private AtomicFile() {}

    static void replace(Path target, byte[] content, FaultPoint faults) throws IOException {
        Path dir = target.getParent();
        Path tmp = dir.resolve(TMP_PREFIX + target.getFileName());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        faults.beforeRename(tmp, target);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(dir);
    }

    static void delete(Path target) throws IOException {
        if (Files.deleteIfExists(target)) {
            syncDirectory(target.getParent());
        }
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
