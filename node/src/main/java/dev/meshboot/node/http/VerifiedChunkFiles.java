package dev.meshboot.node.http;

import dev.meshboot.images.ChunkIntegrityException;
import dev.meshboot.images.store.ChunkStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Decides whether a stored chunk file may be served, so a chunk the disk has damaged is never handed to a booting
 * machine or a peer. A chunk is verified (zstd frame, SHA-256 of the content against its id) the first time it is
 * served and again whenever its file changes (size, modification time or inode): hashing a chunk on every request
 * would cost the boot storm CPU, and a file rewritten behind the agent's back changes those attributes. Damage that
 * leaves them alone (bit rot) is the scrub's to find.
 *
 * <p>A chunk found corrupt is quarantined at once ({@link ChunkStore#quarantine}), so it is never served again, and
 * the listener is told (the agent repairs it from a peer).
 */
public final class VerifiedChunkFiles {
    private static final System.Logger LOG = System.getLogger(VerifiedChunkFiles.class.getName());

    /** A file's identity as far as it matters here: a rewrite or a replacement changes one of these. */
    private record Version(long size, long modified, Object fileKey) {}

    private final ChunkStore chunks;
    private final Map<String, Version> verified = new ConcurrentHashMap<>();
    private volatile Consumer<String> corrupt = id -> {};

    public VerifiedChunkFiles(ChunkStore chunks) {
        this.chunks = chunks;
    }

    /** Who is told of a chunk found corrupt while serving (after it is quarantined). */
    public void onCorrupt(Consumer<String> listener) {
        this.corrupt = Objects.requireNonNull(listener);
    }

    /**
     * The size of the chunk's file if it may be served: present and verified in its current version. Otherwise
     * empty; a corrupt one is quarantined and reported.
     */
    public Optional<Long> servable(String id) {
        Path file = chunks.pathOf(id);
        Version now;
        try {
            now = versionOf(file);
        } catch (NoSuchFileException e) {
            verified.remove(id);
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
        if (now.equals(verified.get(id))) {
            return Optional.of(now.size());
        }
        try {
            byte[] compressed = Files.readAllBytes(file);
            ChunkStore.verify(id, compressed, "serving " + file);
            // Recorded with the attributes read before the bytes: a rewrite in between shows as a new version.
            verified.put(id, now);
            return Optional.of(now.size());
        } catch (ChunkIntegrityException e) {
            found(id, e.getMessage());
            return Optional.empty();
        } catch (IOException e) {
            // A read error is damage too: the disk cannot give the chunk back.
            found(id, "cannot read " + file + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Whether a chunk's file has the compressed size a manifest gives it: the cheap check made for every chunk of
     * an archive served whole (verifying hundreds of chunks per request would stall the server). A file of another
     * size is damaged: it is quarantined and reported. A missing file is only absent.
     */
    public boolean hasSize(String id, long csize) {
        Path file = chunks.pathOf(id);
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            return false;
        }
        if (size != csize) {
            found(id, file + " is " + size + " bytes, its manifest says " + csize);
            return false;
        }
        return true;
    }

    private void found(String id, String why) {
        verified.remove(id);
        try {
            chunks.quarantine(id).ifPresent(q -> LOG.log(System.Logger.Level.WARNING,
                    "chunk {0} is corrupt ({1}); moved to {2}, not served, repair requested", id, why, q));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "chunk {0} is corrupt ({1}) and cannot be moved aside: {2}", id, why,
                    e.getMessage());
        }
        corrupt.accept(id);
    }

    private static Version versionOf(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        if (!a.isRegularFile()) {
            throw new NoSuchFileException(file.toString());
        }
        return new Version(a.size(), a.lastModifiedTime().toMillis(), a.fileKey());
    }
}
