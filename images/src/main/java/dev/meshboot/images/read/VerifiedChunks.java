package dev.meshboot.images.read;

import dev.meshboot.images.ChunkIntegrityException;
import dev.meshboot.images.manifest.ArchiveManifest;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.store.ChunkStore;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Reads an archive's chunks from the store in order, verifying each one (size, zstd frame, SHA-256 of content)
 * before handing it out, and the SHA-256 of the whole compressed stream after the last. Every reader of an archive
 * (verify, cat, extract) goes through here, so none of them can pass on a byte the manifest does not vouch for.
 *
 * <p>Reading, decompressing and hashing run up to {@code ahead} chunks in advance on an executor, so they overlap
 * with whatever the caller does with each chunk (writing files, for an extraction); the stream hash is kept in
 * order here. Memory holds at most {@code ahead + 1} chunks.
 */
public final class VerifiedChunks implements AutoCloseable {
    /** A chunk that passed its checks: its stored frame and its content. */
    public record Chunk(int index, ChunkRef ref, byte[] compressed, byte[] content) {}

    private final ChunkStore store;
    private final String snapshotId;
    private final ArchiveManifest archive;
    private final ExecutorService executor;
    private final int ahead;
    private final Deque<Future<Chunk>> pending = new ArrayDeque<>();
    private final MessageDigest streamDigest = ChunkStore.sha256();
    private int submitted;
    private int next;

    public VerifiedChunks(ChunkStore store, String snapshotId, ArchiveManifest archive, ExecutorService executor,
            int ahead) {
        this.store = store;
        this.snapshotId = snapshotId;
        this.archive = archive;
        this.executor = executor;
        this.ahead = Math.max(1, ahead);
    }

    public boolean hasNext() {
        return next < archive.chunks().size();
    }

    /** The next verified chunk; after the last one, the whole stream's hash has been checked too. */
    public Chunk next() throws IOException {
        while (submitted < archive.chunks().size() && pending.size() < ahead) {
            int index = submitted++;
            pending.addLast(executor.submit(() -> read(index)));
        }
        Chunk c;
        try {
            c = pending.removeFirst().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("read interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(where(next) + ": " + e.getCause(), e.getCause());
        }
        next++;
        streamDigest.update(c.compressed());
        if (!hasNext()) {
            String actual = HexFormat.of().formatHex(streamDigest.digest());
            if (!actual.equals(archive.sha256())) {
                throw new ChunkIntegrityException("snapshot " + snapshotId + " archive '" + archive.name()
                        + "': compressed stream hashes to " + actual + ", the manifest says " + archive.sha256());
            }
        }
        return c;
    }

    private Chunk read(int index) throws IOException {
        ChunkRef ref = archive.chunks().get(index);
        String where = where(index);
        byte[] compressed;
        try {
            compressed = store.readCompressed(ref.id());
        } catch (ChunkIntegrityException e) {
            throw new ChunkIntegrityException(where + ": chunk " + ref.id() + " is missing from the store", e);
        }
        return new Chunk(index, ref, compressed, ChunkStore.verify(ref, compressed, where));
    }

    /** "snapshot S archive 'core' chunk 3/120", for messages. */
    public String where(int index) {
        return "snapshot " + snapshotId.substring(0, Math.min(12, snapshotId.length())) + " archive '"
                + archive.name() + "' chunk " + index + "/" + archive.chunks().size();
    }

    /** Cancels reads still running ahead (after a failure, or when the caller stops early). */
    @Override
    public void close() {
        pending.forEach(f -> f.cancel(true));
        pending.clear();
    }
}
