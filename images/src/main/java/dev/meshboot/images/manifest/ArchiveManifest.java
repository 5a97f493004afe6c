package dev.meshboot.images.manifest;

import java.util.List;

/**
 * One archive of a snapshot: a pax tar stream, cut into chunks, each compressed as its own zstd frame. The
 * archive's compressed form is its chunks' frames back to back, which {@code zstd -d} reads as one stream.
 *
 * @param name {@code core} or {@code extras}
 * @param entries members in the tar stream, directories and links included
 * @param files regular files (a hard-link group counts once)
 * @param directories directories
 * @param symlinks symbolic links
 * @param hardlinks hard-link members (names beyond the first of a group)
 * @param specials device nodes and fifos
 * @param dataBytes bytes of file data stored, holes excluded: what the archive occupies once extracted
 * @param tarBytes length of the uncompressed tar stream
 * @param compressedBytes length of the compressed stream (sum of the chunks' {@code csize})
 * @param sha256 SHA-256 of the whole compressed stream: its HTTP ETag, and what a booting machine checks
 * @param chunks the chunks in stream order
 */
public record ArchiveManifest(
        String name,
        long entries,
        long files,
        long directories,
        long symlinks,
        long hardlinks,
        long specials,
        long dataBytes,
        long tarBytes,
        long compressedBytes,
        String sha256,
        List<ChunkRef> chunks) {

    public ArchiveManifest {
        chunks = List.copyOf(chunks);
    }
}
