package dev.meshboot.images.read;

import dev.meshboot.images.ArchiveFormatException;
import dev.meshboot.images.manifest.ArchiveManifest;
import dev.meshboot.images.paths.Trees;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.images.tar.TarEntry;
import dev.meshboot.images.tar.TarLimits;
import dev.meshboot.images.tar.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The read side of a loaded (hash- and signature-checked) snapshot: verify every chunk, stream an archive as its
 * stored frames, or extract archives to a directory.
 */
public final class SnapshotReader {
    /** What {@link #verify} checked. */
    public record VerifyReport(long chunks, long compressedBytes, long tarBytes) {}

    private static final int THREADS = Runtime.getRuntime().availableProcessors();

    private final SnapshotStore store;
    private final SnapshotStore.Snapshot snapshot;

    public SnapshotReader(SnapshotStore store, SnapshotStore.Snapshot snapshot) {
        this.store = store;
        this.snapshot = snapshot;
    }

    public ArchiveManifest archive(String name) throws ArchiveFormatException {
        return snapshot.manifest().archive(name).orElseThrow(() -> new ArchiveFormatException("snapshot "
                + snapshot.shortId() + " has no archive '" + name + "' (it has "
                + snapshot.manifest().archives().stream().map(ArchiveManifest::name).toList() + ")"));
    }

    /** Checks every chunk of every archive; the first fault throws, naming the chunk and its archive. */
    public VerifyReport verify() throws IOException {
        long chunks = 0;
        long compressed = 0;
        long tar = 0;
        try (ExecutorService pool = readers()) {
            for (ArchiveManifest a : snapshot.manifest().archives()) {
                try (VerifiedChunks it = chunks(a, pool)) {
                    while (it.hasNext()) {
                        VerifiedChunks.Chunk c = it.next();
                        chunks++;
                        compressed += c.compressed().length;
                        tar += c.content().length;
                    }
                }
            }
        }
        return new VerifyReport(chunks, compressed, tar);
    }

    /**
     * Writes an archive's compressed stream (its frames back to back, which {@code zstd -d} reads as one) to
     * {@code out}, each frame verified before it is written.
     */
    public void cat(String archiveName, OutputStream out) throws IOException {
        try (ExecutorService pool = readers(); VerifiedChunks it = chunks(archive(archiveName), pool)) {
            while (it.hasNext()) {
                out.write(it.next().compressed());
            }
        }
        out.flush();
    }

    /**
     * Extracts {@code archives} into {@code target}, which must not exist or be an empty directory. The tree is
     * built in a hidden sibling directory and renamed into place only when every archive extracted cleanly, so a
     * failed extraction never leaves a tree that looks complete.
     */
    public void extract(List<String> archives, Path target, Consumer<String> warnings) throws IOException {
        Path to = target.toAbsolutePath().normalize();
        if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS) || !isEmpty(to)) {
                throw new IOException(target + " exists and is not an empty directory; refusing to extract into it");
            }
        }
        for (String a : archives) {
            archive(a); // fail before any work on an unknown archive name
        }
        Files.createDirectories(to.getParent());
        Path staging = to.resolveSibling("." + to.getFileName() + ".meshboot-partial");
        Trees.delete(staging);
        Files.createDirectory(staging, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        boolean done = false;
        try (ExecutorService pool = readers()) {
            TreeRestorer restorer = new TreeRestorer(staging, warnings);
            for (String a : archives) {
                extractArchive(archive(a), restorer, pool);
            }
            restorer.finish();
            if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(to); // empty, checked above
            }
            Files.move(staging, to, StandardCopyOption.ATOMIC_MOVE);
            done = true;
        } finally {
            if (!done) {
                Trees.delete(staging);
            }
        }
    }

    /** Receives an archive's members in order; {@code data} is the member's stored data, valid during the call. */
    @FunctionalInterface
    public interface MemberVisitor {
        void member(TarEntry entry, InputStream data) throws IOException;
    }

    /**
     * Visits every member of an archive with its verified data: how a few files (a kernel, its modules) are taken
     * out of a snapshot without extracting all of it. Every chunk is verified, as for {@link #extract}.
     */
    public void scan(String archiveName, MemberVisitor visitor) throws IOException {
        try (ExecutorService pool = readers(); VerifiedChunks chunks = chunks(archive(archiveName), pool);
                InputStream content = new ArchiveContentStream(chunks)) {
            TarReader reader = new TarReader(content, TarLimits.DEFAULT);
            TarEntry e;
            while ((e = reader.next()) != null) {
                visitor.member(e, reader.data());
            }
            content.transferTo(OutputStream.nullOutputStream()); // the rest, so the stream hash is checked too
        }
    }

    private void extractArchive(ArchiveManifest archive, TreeRestorer restorer, ExecutorService pool)
            throws IOException {
        try (VerifiedChunks chunks = chunks(archive, pool); InputStream content = new ArchiveContentStream(chunks)) {
            TarReader reader = new TarReader(content, TarLimits.DEFAULT);
            TarEntry e;
            while ((e = reader.next()) != null) {
                restorer.apply(e, reader.data());
            }
            // Read to the end, so every chunk (and the stream hash) is verified, and refuse data after the end.
            byte[] rest = new byte[64 * 1024];
            int n;
            while ((n = content.read(rest)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (rest[i] != 0) {
                        throw new ArchiveFormatException("archive '" + archive.name()
                                + "' has data after its end-of-archive marker (offset " + reader.offset() + ")");
                    }
                }
            }
        }
    }

    /** Threads that read, decompress and hash chunks ahead of their consumer: one per core. */
    private static ExecutorService readers() {
        return Executors.newFixedThreadPool(THREADS, r -> Thread.ofPlatform().name("meshboot-read").daemon().unstarted(r));
    }

    private VerifiedChunks chunks(ArchiveManifest archive, ExecutorService pool) {
        return new VerifiedChunks(store.chunks(), snapshot.id(), archive, pool, THREADS * 2);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
