package dev.meshboot.images.read;

import dev.meshboot.images.ChunkIntegrityException;
import dev.meshboot.images.manifest.ArchiveManifest;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.store.ChunkStore;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Reads an archive's chunks from the store in order, verifying each one (size, zstd frame, SHA-256 of content)
 * before handing it out, and the SHA-256 of the whole compressed stream after the last. Every reader of an archive
 * (verify, cat, extract) goes through here, so none of them can pass on a byte the manifest does not vouch for.
 */
public final class VerifiedChunks {
    /** A chunk that passed its checks: its stored frame and its content. */
    public record Chunk(int index, ChunkRef ref, byte[] compressed, byte[] content) {}

    private final ChunkStore store;
    private final String snapshotId;
    private final ArchiveManifest archive;
    private final MessageDigest streamDigest = ChunkStore.sha256();
    private int next;

    public VerifiedChunks(ChunkStore store, String snapshotId, ArchiveManifest archive) {
        this.store = store;
        this.snapshotId = snapshotId;
        this.archive = archive;
    }

    public boolean hasNext() {
        return next < archive.chunks().size();
    }

    /** The next verified chunk; after the last one, the whole stream's hash has been checked too. */
    public Chunk next() throws IOException {
        int index = next++;
        ChunkRef ref = archive.chunks().get(index);
        String where = where(index);
        byte[] compressed;
        try {
            compressed = store.readCompressed(ref.id());
        } catch (ChunkIntegrityException e) {
            throw new ChunkIntegrityException(where + ": chunk " + ref.id() + " is missing from the store", e);
        }
        byte[] content = ChunkStore.verify(ref, compressed, where);
        streamDigest.update(compressed);
        if (!hasNext()) {
            String actual = HexFormat.of().formatHex(streamDigest.digest());
            if (!actual.equals(archive.sha256())) {
                throw new ChunkIntegrityException("snapshot " + snapshotId + " archive '" + archive.name()
                        + "': compressed stream hashes to " + actual + ", the manifest says " + archive.sha256());
            }
        }
        return new Chunk(index, ref, compressed, content);
    }

    /** "snapshot S archive 'core' chunk 3/120", for messages. */
    public String where(int index) {
        return "snapshot " + snapshotId.substring(0, Math.min(12, snapshotId.length())) + " archive '"
                + archive.name() + "' chunk " + index + "/" + archive.chunks().size();
    }
}
