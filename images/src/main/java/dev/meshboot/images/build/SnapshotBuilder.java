package dev.meshboot.images.build;

import com.github.luben.zstd.Zstd;
import dev.meshboot.images.chunk.FastCdcChunker;
import dev.meshboot.images.manifest.ArchiveManifest;
import dev.meshboot.images.manifest.SnapshotManifest;
import dev.meshboot.images.posix.Posix;
import dev.meshboot.images.posix.PosixException;
import dev.meshboot.images.signing.ManifestSignature;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.images.tar.TarEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Builds a snapshot from a root filesystem directory into a {@link SnapshotStore}.
 *
 * <p>The tree is walked twice, in sorted (deterministic) order. The first walk only stats: it sizes the progress bar
 * and decides where each hard-link group goes, since a group whose names fall in both archives must live whole in
 * one of them ("core", so that core alone is a working system). The second walk writes both archives at once,
 * streaming: file data goes from disk through the tar writer and the chunker to the compressing threads, and no
 * more than a few chunks per archive are ever in memory.
 */
public final class SnapshotBuilder {
    /** Options of one build. {@code chunkSize} is the average chunk size; {@code level} the zstd level. */
    public record Options(String name, BuildSpec spec, int chunkSize, int level, Optional<KeyPair> key,
            Optional<String> parent, int threads) {
        public static final int DEFAULT_CHUNK_SIZE = 1 << 20;
        public static final int DEFAULT_LEVEL = 3;

        public static Options defaults(String name) {
            return new Options(name, BuildSpec.DEFAULT, DEFAULT_CHUNK_SIZE, DEFAULT_LEVEL, Optional.empty(),
                    Optional.empty(), Runtime.getRuntime().availableProcessors());
        }

        public Options withKey(KeyPair k) {
            return new Options(name, spec, chunkSize, level, Optional.of(k), parent, threads);
        }

        public Options withSpec(BuildSpec s) {
            return new Options(name, s, chunkSize, level, key, parent, threads);
        }

        public Options withChunkSize(int size) {
            return new Options(name, spec, size, level, key, parent, threads);
        }

        public Options withLevel(int l) {
            return new Options(name, spec, chunkSize, l, key, parent, threads);
        }

        public Options withParent(Optional<String> p) {
            return new Options(name, spec, chunkSize, level, key, p, threads);
        }
    }

    /** The result: the id, the manifest, and how much of it the store did not already hold. */
    public record Result(String id, SnapshotManifest manifest, long newChunks, long newBytes, long totalChunks,
            long totalCompressedBytes) {}

    private static final int COPY_BUFFER = 256 * 1024;

    private final SnapshotStore store;
    private final Clock clock;
    private final BuildListener listener;

    public SnapshotBuilder(SnapshotStore store, Clock clock, BuildListener listener) {
        this.store = store;
        this.clock = clock;
        this.listener = listener;
    }

    public Result build(Path rootDir, Options options) throws IOException {
        if (!Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8")).equals(java.nio.charset.StandardCharsets.UTF_8)) {
            throw new IOException("file names are decoded as " + System.getProperty("sun.jnu.encoding")
                    + ", not UTF-8, so non-ASCII names would be lost: run with LC_ALL=C.UTF-8");
        }
        if (options.level() < 1 || options.level() > Zstd.maxCompressionLevel()) {
            throw new IllegalArgumentException("zstd level " + options.level() + ": must be between 1 and "
                    + Zstd.maxCompressionLevel());
        }
        Path root = rootDir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new IOException(rootDir + ": not a directory (give the root filesystem to build from)");
        }
        FileInfo rootInfo = FileInfo.lstat(root);
        BuildSpec.Matcher spec = options.spec().matcher();
        TreeWalk tree = new TreeWalk(root, rootInfo.dev(), spec, listener);
        Survey survey = new Survey(spec);
        tree.walk(survey, false);

        FastCdcChunker cdc = new FastCdcChunker(options.chunkSize());
        ExecutorService executor = Executors.newFixedThreadPool(Math.max(1, options.threads()), r -> {
            Thread t = new Thread(r, "meshboot-chunk");
            t.setDaemon(true);
            return t;
        });
        int inFlight = Math.max(2, options.threads() * 2);
        ArchiveBuilder core = new ArchiveBuilder("core", cdc,
                new ChunkPipeline("core", executor, store.chunks(), options.level(), inFlight, clock));
        ArchiveBuilder extras = new ArchiveBuilder("extras", cdc,
                new ChunkPipeline("extras", executor, store.chunks(), options.level(), inFlight, clock));
        List<ArchiveManifest> archives = new ArrayList<>();
        try {
            Writer writer = new Writer(root, spec, survey, core, extras);
            writer.emit(root, "", rootInfo);
            tree.walk(writer, true);
            archives.add(core.finish());
            archives.add(extras.finish());
        } catch (IOException | RuntimeException e) {
            core.pipeline().abort();
            extras.pipeline().abort();
            throw e;
        } finally {
            executor.shutdownNow();
        }

        Map<String, String> build = new LinkedHashMap<>();
        build.put("builder", "meshboot " + Optional.ofNullable(getClass().getPackage().getImplementationVersion())
                .orElse("dev"));
        build.put("source", root.toString());
        build.put("host", hostName());
        build.put("chunking", "fastcdc-gear64 avg=" + cdc.averageSize() + " min=" + cdc.minSize() + " max="
                + cdc.maxSize());
        build.put("compression", "zstd level=" + options.level());
        Optional<String> parent = options.parent().isPresent() ? options.parent() : store.latestNamed(options.name());
        SnapshotManifest manifest = new SnapshotManifest(SnapshotManifest.FORMAT, options.name(),
                Instant.now(clock).truncatedTo(ChronoUnit.MILLIS).toString(), parent.orElse(null), build, archives);
        byte[] bytes = store.codec().write(manifest);
        store.codec().read(bytes); // the manifest we write must pass our own reader's checks
        Optional<ManifestSignature> sig = options.key().map(k -> ManifestSignature.sign(bytes, k.getPrivate(),
                k.getPublic()));
        String id = store.commit(bytes, sig);
        long totalChunks = archives.stream().mapToLong(a -> a.chunks().size()).sum();
        long totalCompressed = archives.stream().mapToLong(ArchiveManifest::compressedBytes).sum();
        return new Result(id, manifest, core.pipeline().newChunks() + extras.pipeline().newChunks(),
                core.pipeline().newBytes() + extras.pipeline().newBytes(), totalChunks, totalCompressed);
    }

    private static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The first walk: totals for progress, and the archive of each hard-link group. */
    private static final class Survey implements TreeWalk.Visitor {
        final BuildSpec.Matcher spec;
        final Map<FileInfo.InodeKey, Boolean> groupInCore = new HashMap<>();
        long totalBytes;

        Survey(BuildSpec.Matcher spec) {
            this.spec = spec;
        }

        @Override
        public void visit(Path path, String name, FileInfo info) {
            if (info.isRegular()) {
                totalBytes += info.size();
                if (info.nlink() > 1) {
                    groupInCore.merge(info.inode(), !spec.isExtras(name), Boolean::logicalOr);
                }
            }
        }
    }

    /** The second walk: writes every member to its archive. */
    private final class Writer implements TreeWalk.Visitor {
        final Path root;
        final BuildSpec.Matcher spec;
        final Survey survey;
        final ArchiveBuilder core;
        final ArchiveBuilder extras;
        final Map<FileInfo.InodeKey, String> firstNames = new HashMap<>();
        final byte[] buffer = new byte[COPY_BUFFER];
        long doneBytes;

        Writer(Path root, BuildSpec.Matcher spec, Survey survey, ArchiveBuilder core, ArchiveBuilder extras) {
            this.root = root;
            this.spec = spec;
            this.survey = survey;
            this.core = core;
            this.extras = extras;
        }

        @Override
        public void visit(Path path, String name, FileInfo info) throws IOException {
            emit(path, name, info);
        }

        void emit(Path path, String name, FileInfo info) throws IOException {
            ArchiveBuilder target = spec.isExtras(name) ? extras : core;
            if (name.isEmpty()) {
                TarEntry rootEntry = entry(path, name, info, TarEntry.Type.DIRECTORY, "", null, 0);
                core.begin(rootEntry, this::directory);
                core.end();
                extras.begin(rootEntry, this::directory);
                extras.end();
                return;
            }
            switch (info.type()) {
                case FileInfo.S_IFDIR -> write(target, entry(path, name, info, TarEntry.Type.DIRECTORY, "", null, 0));
                case FileInfo.S_IFLNK -> write(target, entry(path, name, info, TarEntry.Type.SYMLINK,
                        Files.readSymbolicLink(path).toString(), null, 0));
                case FileInfo.S_IFCHR -> write(target, entry(path, name, info, TarEntry.Type.CHAR_DEVICE, "", null, 0));
                case FileInfo.S_IFBLK -> write(target, entry(path, name, info, TarEntry.Type.BLOCK_DEVICE, "", null, 0));
                case FileInfo.S_IFIFO -> write(target, entry(path, name, info, TarEntry.Type.FIFO, "", null, 0));
                case FileInfo.S_IFREG -> regular(path, name, info, target);
                default -> listener.warning("skipped " + name + ": unknown file type " + Integer.toOctalString(info.mode()));
            }
        }

        private void regular(Path path, String name, FileInfo info, ArchiveBuilder byPath) throws IOException {
            ArchiveBuilder target = byPath;
            if (info.nlink() > 1) {
                target = Boolean.TRUE.equals(survey.groupInCore.get(info.inode())) ? core : byPath;
                String first = firstNames.putIfAbsent(info.inode(), name);
                if (first != null) {
                    write(target, entry(path, name, info, TarEntry.Type.HARDLINK, first, null, 0));
                    return;
                }
            }
            if (spec.isEmptied(name)) {
                write(target, entry(path, name, info, TarEntry.Type.REGULAR, "", null, 0));
                return;
            }
            List<TarEntry.Segment> segments = null;
            if (info.mayHaveHoles()) {
                List<TarEntry.Segment> found = new ArrayList<>();
                long data = 0;
                for (long[] s : Posix.dataSegments(path, info.size())) {
                    found.add(new TarEntry.Segment(s[0], s[1]));
                    data += s[1];
                }
                if (data < info.size()) {
                    segments = found;
                }
            }
            TarEntry e = entry(path, name, info, TarEntry.Type.REGULAR, "", segments, info.size());
            OutputStream out = target.begin(e, this::directory);
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                if (segments == null) {
                    copy(ch, 0, info.size(), out, name);
                } else {
                    for (TarEntry.Segment s : segments) {
                        copy(ch, s.offset(), s.length(), out, name);
                    }
                }
            }
            target.end();
            doneBytes += info.size();
            listener.progress(doneBytes, survey.totalBytes);
        }

        private void copy(FileChannel ch, long position, long length, OutputStream out, String name) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(buffer);
            long left = length;
            long pos = position;
            while (left > 0) {
                b.clear().limit((int) Math.min(buffer.length, left));
                int n = ch.read(b, pos);
                if (n < 0) {
                    throw new IOException(name + " shrank while it was read (a file must not change during a build)");
                }
                out.write(buffer, 0, n);
                pos += n;
                left -= n;
            }
        }

        private void write(ArchiveBuilder target, TarEntry e) throws IOException {
            target.begin(e, this::directory);
            target.end();
        }

        TarEntry directory(String rel) throws IOException {
            Path p = rel.isEmpty() ? root : root.resolve(rel);
            return entry(p, rel, FileInfo.lstat(p), TarEntry.Type.DIRECTORY, "", null, 0);
        }

        private TarEntry entry(Path path, String name, FileInfo info, TarEntry.Type type, String link,
                List<TarEntry.Segment> sparse, long size) throws IOException {
            TreeMap<String, byte[]> xattrs = new TreeMap<>();
            if (type != TarEntry.Type.HARDLINK) {
                for (String x : Posix.listXattrs(path)) {
                    try {
                        xattrs.put(x, Posix.getXattr(path, x));
                    } catch (PosixException e) {
                        if (e.errno() != PosixException.ENODATA) {
                            throw e;
                        }
                    }
                }
            }
            boolean device = type == TarEntry.Type.CHAR_DEVICE || type == TarEntry.Type.BLOCK_DEVICE;
            long major = device ? info.rdevMajor() : 0;
            long minor = device ? info.rdevMinor() : 0;
            long entrySize = type == TarEntry.Type.REGULAR ? size : 0;
            return new TarEntry(type, name, link, info.mode() & 07777, info.uid(), info.gid(), entrySize,
                    info.mtimeSeconds(), info.mtimeNanos(), major, minor, xattrs, sparse);
        }
    }
}
