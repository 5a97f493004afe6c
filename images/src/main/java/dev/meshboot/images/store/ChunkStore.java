package dev.meshboot.images.store;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import dev.meshboot.images.ChunkIntegrityException;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.manifest.ManifestCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory of chunks, each one zstd frame in {@code chunks/XX/ID.zst}, where ID is the SHA-256 (hex) of the
 * chunk's uncompressed content and XX its first two digits. Naming by content makes two snapshots share every
 * identical chunk, whatever compressor version wrote it, and lets any reader verify a chunk on its own.
 *
 * <p>Writes are atomic ({@link AtomicFiles}); the fan-out directories touched since the last
 * {@link #syncTouchedDirectories()} are remembered so a builder can make every chunk durable before it writes the
 * manifest that names them.
 *
 * <p>A chunk found corrupt is moved aside to {@code quarantine/ID.zst} rather than deleted: it is never served
 * again, and an operator can still look at what the disk did to it.
 */
public final class ChunkStore {
    private static final HexFormat HEX = HexFormat.of();
    private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");

    private final Path root;
    private final Path tmp;
    private final Path quarantine;
    private final Set<Path> touched = ConcurrentHashMap.newKeySet();

    ChunkStore(Path root, Path tmp, Path quarantine) {
        this.root = root;
        this.tmp = tmp;
        this.quarantine = quarantine;
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

    /**
     * Marks a stored chunk as just used, by setting its modification time to {@code now}: a builder reusing a chunk
     * no snapshot names yet does this, so a concurrent garbage collection (which spares young chunks) leaves it.
     * False if the chunk is not there.
     */
    public boolean touch(String id, Instant now) throws IOException {
        try {
            Files.setLastModifiedTime(pathOf(id), FileTime.from(now));
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** Every chunk id in the store, sorted; files that are not named like a chunk are left out. */
    public List<String> ids() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                try (Stream<Path> files = Files.list(dir)) {
                    files.map(f -> f.getFileName().toString())
                            .filter(n -> n.endsWith(".zst"))
                            .map(n -> n.substring(0, n.length() - 4))
                            .filter(n -> ID.matcher(n).matches() && n.startsWith(dir.getFileName().toString()))
                            .forEach(out::add);
                }
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * Moves a chunk's file aside to {@code quarantine/ID.zst} (replacing an earlier quarantined copy), so it is
     * neither served nor counted as held any more; returns where it went, or empty if it was not there.
     */
    public Optional<Path> quarantine(String id) throws IOException {
        Files.createDirectories(quarantine);
        Path target = quarantine.resolve(id + ".zst");
        try {
            Files.move(pathOf(id), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return Optional.of(target);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Deletes a chunk's file; false if it was not there. */
    public boolean remove(String id) throws IOException {
        return Files.deleteIfExists(pathOf(id));
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

    /**
     * Checks compressed bytes against the chunk id alone, with no manifest at hand (a request for {@code /chunks/ID}
     * names only the id): the frame must declare its content size (every writer here does), at most
     * {@link ManifestCodec#MAX_CHUNK_BYTES}, and the content must hash to the id.
     */
    public static byte[] verify(String id, byte[] compressed, String where) throws ChunkIntegrityException {
        long size;
        try {
            size = Zstd.getFrameContentSize(compressed);
        } catch (ZstdException e) {
            throw new ChunkIntegrityException(where + ": chunk " + id + " is not a valid zstd frame: " + e.getMessage(), e);
        }
        if (size <= 0 || size > ManifestCodec.MAX_CHUNK_BYTES) {
            throw new ChunkIntegrityException(where + ": chunk " + id + " declares no usable content size (" + size
                    + "; at most " + ManifestCodec.MAX_CHUNK_BYTES + ")");
        }
        return verify(new ChunkRef(id, size, compressed.length), compressed, where);
    }
}
