package dev.meshboot.images.build;

import dev.meshboot.images.chunk.ChunkingOutputStream;
import dev.meshboot.images.chunk.FastCdcChunker;
import dev.meshboot.images.manifest.ArchiveManifest;
import dev.meshboot.images.tar.TarEntry;
import dev.meshboot.images.tar.TarWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One archive under construction: a tar writer feeding the chunker feeding the {@link ChunkPipeline}. It also
 * keeps the archive self-contained: before a member goes in, every ancestor directory that this archive has not
 * yet carried is written first, so {@code tar -x} of this archive alone recreates them with their own metadata.
 */
final class ArchiveBuilder {
    /** Looks up a directory's entry by its relative name, for ancestors this archive must carry. */
    @FunctionalInterface
    interface DirectoryLookup {
        TarEntry directory(String rel) throws IOException;
    }

    private final String name;
    private final ChunkPipeline pipeline;
    private final ChunkingOutputStream chunker;
    private final TarWriter tar;
    private final Deque<String> openDirectories = new ArrayDeque<>();
    private long entries;
    private long files;
    private long directories;
    private long symlinks;
    private long hardlinks;
    private long specials;
    private long dataBytes;

    ArchiveBuilder(String name, FastCdcChunker cdc, ChunkPipeline pipeline) {
        this.name = name;
        this.pipeline = pipeline;
        this.chunker = new ChunkingOutputStream(cdc, pipeline::accept);
        this.tar = new TarWriter(chunker);
    }

    /** Starts a member after writing any missing ancestors; the caller writes its data and calls {@link #end}. */
    OutputStream begin(TarEntry entry, DirectoryLookup lookup) throws IOException {
        ensureAncestors(parentOf(entry.name()), lookup);
        if (entry.type() == TarEntry.Type.DIRECTORY) {
            openDirectories.push(entry.name());
        }
        count(entry);
        return tar.begin(entry);
    }

    void end() throws IOException {
        tar.end();
    }

    private void ensureAncestors(String dir, DirectoryLookup lookup) throws IOException {
        if (dir == null) {
            return; // the root itself
        }
        while (!openDirectories.isEmpty() && !isAncestorOrSelf(openDirectories.peek(), dir)) {
            openDirectories.pop();
        }
        if (!openDirectories.isEmpty() && openDirectories.peek().equals(dir)) {
            return;
        }
        ensureAncestors(parentOf(dir), lookup);
        TarEntry d = lookup.directory(dir);
        openDirectories.push(dir);
        count(d);
        tar.begin(d);
        tar.end();
    }

    private static boolean isAncestorOrSelf(String ancestor, String path) {
        return ancestor.isEmpty() || path.equals(ancestor) || path.startsWith(ancestor + "/");
    }

    /** The parent's relative name: "" for a top-level name, null for the root. */
    static String parentOf(String rel) {
        if (rel.isEmpty()) {
            return null;
        }
        int slash = rel.lastIndexOf('/');
        return slash < 0 ? "" : rel.substring(0, slash);
    }

    private void count(TarEntry e) {
        entries++;
        switch (e.type()) {
            case REGULAR -> {
                files++;
                dataBytes += e.storedDataBytes();
            }
            case DIRECTORY -> directories++;
            case SYMLINK -> symlinks++;
            case HARDLINK -> hardlinks++;
            default -> specials++;
        }
    }

    ArchiveManifest finish() throws IOException {
        tar.finish();
        chunker.close();
        pipeline.finish();
        return new ArchiveManifest(name, entries, files, directories, symlinks, hardlinks, specials, dataBytes,
                pipeline.tarBytes(), pipeline.compressedBytes(), pipeline.streamSha256(), pipeline.chunks());
    }

    ChunkPipeline pipeline() {
        return pipeline;
    }
}
