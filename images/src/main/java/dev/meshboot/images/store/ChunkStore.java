package dev.meshboot.images.store;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import dev.meshboot.images.ChunkIntegrityException;
import dev.meshboot.images.manifest.ChunkRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A directory of chunks, each one zstd frame in {@code chunks/XX/ID.zst}, where ID is the SHA-256 (hex) of the
 * chunk's uncompressed content and XX its first two digits. Naming by content makes two snapshots share every
 * identical chunk, whatever compressor version wrote it, and lets any reader verify a chunk on its own.
 *
 * <p>Writes are atomic ({@link AtomicFiles}); the fan-out directories touched since the last
 * {@link #syncTouchedDirectories()} are remembered so a builder can make every chunk durable before it writes the
 * manifest that names them.
 */
public final class ChunkStore {
    private static final HexFormat HEX = HexFormat.of();

    private final Path root;
    private final Path tmp;
    private final Set<Path> touched = ConcurrentHashMap.newKeySet();

    ChunkStore(Path root, Path tmp) {
        this.root = root;
        this.tmp = tmp;
    }

    /** The SHA-256 of {@code data} as lower-case hex: a chunk's id. */
    public static String idOf(byte[] data) {
        return HEX.formatHex(sha256().digest(data));
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path pathOf(String id) {
        return root.resolve(id.substring(0, 2)).resolve(id + ".zst");
    }

    public boolean contains(String id) {
        return Files.isRegularFile(pathOf(id));
    }

    /** Stores a compressed chunk under its id unless it is already there. */
    public void put(String id, byte[] compressed) throws IOException {
        Path target = pathOf(id);
        if (Files.exists(target)) {
            return;
        }
        Path dir = target.getParent();
        Files.createDirectories(dir);
        AtomicFiles.write(tmp, target, compressed);
        touched.add(dir);
    }

    /** fsyncs every fan-out directory written to since the last call. */
    public void syncTouchedDirectories() throws IOException {
        for (Path dir : Set.copyOf(touched)) {
            AtomicFiles.syncDirectory(dir);
            touched.remove(dir);
        }
        AtomicFiles.syncDirectory(root);
    }

    /** The stored (compressed) bytes of a chunk, unverified: for serving and for stream hashes. */
    public byte[] readCompressed(String id) throws IOException {
        try {
            return Files.readAllBytes(pathOf(id));
        } catch (NoSuchFileException e) {
            throw new ChunkIntegrityException("chunk " + id + " is missing from the store (" + pathOf(id) + ")", e);
        }
    }

    /** Checks compressed bytes against a manifest's chunk reference and returns the content. */
    public static byte[] verify(ChunkRef ref, byte[] compressed, String where) throws ChunkIntegrityException {
        if (compressed.length != ref.csize()) {
            throw new ChunkIntegrityException(where + ": chunk " + ref.id() + " is " + compressed.length
                    + " bytes compressed, the manifest says " + ref.csize());
        }
        byte[] content;
        try {
            content = Zstd.decompress(compressed, Math.toIntExact(ref.size()));
        } catch (ZstdException e) {
            throw new ChunkIntegrityException(where + ": chunk " + ref.id() + " is not a valid zstd frame: "
                    + e.getMessage(), e);
        }
        if (content.length != ref.size()) {
            throw new ChunkIntegrityException(where + ": chunk " + ref.id() + " decompresses to " + content.length
                    + " bytes, the manifest says " + ref.size());
        }
        String actual = idOf(content);
        if (!actual.equals(ref.id())) {
            throw new ChunkIntegrityException(where + ": chunk " + ref.id() + " has content hashing to " + actual);
        }
        return content;
    }
}
