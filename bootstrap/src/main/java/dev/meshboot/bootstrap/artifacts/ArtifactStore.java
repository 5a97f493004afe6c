package dev.meshboot.bootstrap.artifacts;

import dev.meshboot.images.store.AtomicFiles;
import dev.meshboot.images.store.ChunkStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Boot artifacts in a snapshot store, beside the chunks:
 * <pre>
 *   blobs/XX/SHA256          one file each, named by the SHA-256 of its bytes (kernels, initramfs, iPXE, GRUB)
 *   artifacts/SNAPSHOT.json  the snapshot's {@link BootArtifacts} index, written last
 * </pre>
 * Blobs are written before the index that names them, each atomically, so a half-built set is never served.
 */
public final class ArtifactStore {
    private final Path blobs;
    private final Path indexes;
    private final Path tmp;

    public ArtifactStore(Path storeRoot) throws IOException {
        this.blobs = storeRoot.resolve("blobs");
        this.indexes = storeRoot.resolve("artifacts");
        this.tmp = storeRoot.resolve("tmp");
        Files.createDirectories(blobs);
        Files.createDirectories(indexes);
        Files.createDirectories(tmp);
    }

    public Path blobPath(String sha256) {
        return blobs.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    /** Stores bytes as a blob (once) and returns its entry. */
    public BootArtifacts.Blob put(byte[] data) throws IOException {
        String sha = HexFormat.of().formatHex(ChunkStore.sha256().digest(data));
        Path target = blobPath(sha);
        if (!Files.exists(target)) {
            Files.createDirectories(target.getParent());
            AtomicFiles.write(tmp, target, data);
            AtomicFiles.syncDirectory(target.getParent());
        }
        return new BootArtifacts.Blob(sha, data.length);
    }

    public void commit(BootArtifacts artifacts) throws IOException {
        AtomicFiles.write(tmp, indexes.resolve(artifacts.snapshot() + ".json"), artifacts.toJson());
        AtomicFiles.syncDirectory(indexes);
    }

    /** Forgets a snapshot's artifact index (its blobs stay: other snapshots usually share them). */
    public void remove(String snapshot) throws IOException {
        if (snapshot.matches("[0-9a-f]{64}")) {
            Files.deleteIfExists(indexes.resolve(snapshot + ".json"));
            AtomicFiles.syncDirectory(indexes);
        }
    }

    public Optional<BootArtifacts> of(String snapshot) throws IOException {
        Path f = indexes.resolve(snapshot + ".json");
        if (!snapshot.matches("[0-9a-f]{64}") || !Files.isRegularFile(f)) {
            return Optional.empty();
        }
        return Optional.of(BootArtifacts.parse(Files.readAllBytes(f)));
    }
}
