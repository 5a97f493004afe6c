package dev.meshboot.images.tar;

/**
 * Bounds on what a tar stream may ask a reader to allocate. Every length read from a stream is checked against
 * these before anything is allocated, so a hostile archive gets a clear error, not an OutOfMemoryError.
 *
 * @param maxPaxHeaderBytes largest pax extended header (default 1 MiB: Linux caps all xattrs of a file at 64 KiB)
 * @param maxNameBytes longest path or link target (default 4096, Linux's PATH_MAX)
 * @param maxSparseSegments most segments in one sparse map (default 1,048,576)
 */
public record TarLimits(int maxPaxHeaderBytes, int maxNameBytes, int maxSparseSegments) {
    public static final TarLimits DEFAULT = new TarLimits(1 << 20, 4096, 1 << 20);
}
