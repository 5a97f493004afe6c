package dev.meshboot.clusterconfig.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * A member's documents on its own disk: one file per document, {@code DIR/documents/KIND.NAME}, holding the version
 * this member keeps, each replaced atomically ({@link AtomicFile}). One file per document makes a write cost one
 * small file whatever the store's size, and needs no compaction; the price is one inode per document (10,000 nodes:
 * 10,000 files of about a kilobyte).
 *
 * <p>File format: {@code "MBD1"}, u32 length, the version ({@link StoreCodec#encode}), then the SHA-256 of everything
 * before it. A file that fails any check is reported by {@link #load}, never skipped.
 */
final class DocumentDirectory {
    private static final byte[] MAGIC = "MBD1".getBytes(StandardCharsets.US_ASCII);

    private final Path documents;
    private final FaultPoint faults;

    DocumentDirectory(Path root, FaultPoint faults) throws IOException {
        this.documents = Files.createDirectories(root.resolve("documents"));
        this.faults = faults;
    }

    /**
     * Every stored version. Temporary files left by a crash are removed: they were never renamed into place, so
     * their write was never acknowledged to anyone.
     */
    List<VersionedDocument> load() throws IOException, StoreCorruptException {
        List<VersionedDocument> out = new ArrayList<>();
        List<StoreCorruptException.BadFile> bad = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(documents)) {
            files = s.sorted().toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (name.startsWith(AtomicFile.TMP_PREFIX)) {
                Files.delete(f);
                continue;
            }
            try {
                VersionedDocument v = decode(Files.readAllBytes(f));
                if (!v.key().fileName().equals(name)) {
                    throw new StoreFormatException("holds " + v.key() + ", not the document its name says");
                }
                out.add(v);
            } catch (StoreFormatException e) {
                bad.add(new StoreCorruptException.BadFile(f, e.getMessage()));
            }
        }
        if (!bad.isEmpty()) {
            throw new StoreCorruptException(bad);
        }
        return out;
    }

    void write(VersionedDocument v) throws IOException {
        AtomicFile.replace(documents.resolve(v.key().fileName()), encode(v), faults);
    }

    void remove(DocumentKey key) throws IOException {
        AtomicFile.delete(documents.resolve(key.fileName()));
    }

    static byte[] encode(VersionedDocument v) {
        byte[] version = StoreCodec.encode(v);
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + version.length + 32);
        b.put(MAGIC).putInt(version.length).put(version);
        b.put(VersionedDocument.sha256(Arrays.copyOf(b.array(), b.position())));
        return b.array();
    }

    static VersionedDocument decode(byte[] bytes) throws StoreFormatException {
        if (bytes.length < MAGIC.length + 4 + 32 || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new StoreFormatException("not a document file (" + bytes.length + " bytes, no MBD1 header)");
        }
        int length = ByteBuffer.wrap(bytes, MAGIC.length, 4).getInt();
        if (length < 0 || length != bytes.length - MAGIC.length - 4 - 32) {
            throw new StoreFormatException("length field says " + Integer.toUnsignedString(length) + " bytes, file holds "
                    + (bytes.length - MAGIC.length - 4 - 32) + ": truncated or torn");
        }
        int end = bytes.length - 32;
        if (!Arrays.equals(VersionedDocument.sha256(Arrays.copyOf(bytes, end)), 0, 32, bytes, end, bytes.length)) {
            throw new StoreFormatException("SHA-256 does not match the content: torn or altered");
        }
        return StoreCodec.decode(Arrays.copyOfRange(bytes, MAGIC.length + 4, end));
    }
}
