package dev.meshboot.images.testing;

import com.github.luben.zstd.Zstd;
import dev.meshboot.images.chunk.ChunkingOutputStream;
import dev.meshboot.images.chunk.FastCdcChunker;
import dev.meshboot.images.manifest.ArchiveManifest;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.manifest.SnapshotManifest;
import dev.meshboot.images.store.ChunkStore;
import dev.meshboot.images.store.SnapshotStore;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Wraps a raw tar stream (a hostile fixture) into an unsigned snapshot, chunked and stored like a real one, so a
 * test can drive the whole extraction path with bytes our own writer would never produce.
 */
public final class RawArchives {
    private RawArchives() {}

    public static String importAsCore(SnapshotStore store, byte[] tar) throws IOException {
        List<ChunkRef> refs = new ArrayList<>();
        MessageDigest stream = ChunkStore.sha256();
        long[] sizes = new long[2];
        try (ChunkingOutputStream out = new ChunkingOutputStream(new FastCdcChunker(64 << 10), chunk -> {
            byte[] compressed = Zstd.compress(chunk, 3);
            String id = ChunkStore.idOf(chunk);
            store.chunks().put(id, compressed);
            refs.add(new ChunkRef(id, chunk.length, compressed.length));
            stream.update(compressed);
            sizes[0] += chunk.length;
            sizes[1] += compressed.length;
        })) {
            out.write(tar);
        }
        ArchiveManifest core = new ArchiveManifest("core", 0, 0, 0, 0, 0, 0, 0, sizes[0], sizes[1],
                HexFormat.of().formatHex(stream.digest()), refs);
        SnapshotManifest m = new SnapshotManifest(SnapshotManifest.FORMAT, "hostile", "2026-01-01T00:00:00Z", null,
                Map.of(), List.of(core));
        return store.commit(store.codec().write(m), Optional.empty());
    }
}
