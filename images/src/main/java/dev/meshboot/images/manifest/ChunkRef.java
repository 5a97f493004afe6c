package dev.meshboot.images.manifest;

/**
 * One chunk of an archive.
 *
 * @param id SHA-256 (lower-case hex) of the uncompressed content
 * @param size uncompressed length
 * @param csize length of the stored zstd frame
 */
public record ChunkRef(String id, long size, long csize) {}
