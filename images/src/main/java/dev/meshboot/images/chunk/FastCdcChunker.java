package dev.meshboot.images.chunk;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Content-defined chunking after FastCDC (Xia et al., USENIX ATC 2016): a gear rolling hash, cut points skipped
 * below the minimum size, and normalised chunking (a stricter mask before the average size, a looser one after),
 * which narrows the size distribution around the average.
 *
 * <p>Because a cut depends only on the 64 bytes before it, inserting or changing bytes moves the cut points only
 * near the change, and two versions of a tree share every chunk away from their differences (casync's idea).
 *
 * <p>Parameters, fixed by the average {@code A} (a power of two): minimum {@code A/4}, maximum {@code 8A}, and
 * masks of the top {@code log2(A)+2} and {@code log2(A)-2} bits. The gear table is the first 8 bytes (big-endian)
 * of SHA-256 of {@code "meshboot gear " + i} for i in 0..255, so another implementation can reproduce the cuts.
 *
 * <p>Pure and immutable: {@link #cut} is a function of its arguments.
 */
public final class FastCdcChunker {
    private static final long[] GEAR = gearTable();

    private final int minSize;
    private final int averageSize;
    private final int maxSize;
    private final long strictMask;
    private final long looseMask;

    /** @param averageSize a power of two between 16 KiB and 16 MiB */
    public FastCdcChunker(int averageSize) {
        if (Integer.bitCount(averageSize) != 1 || averageSize < (16 << 10) || averageSize > (16 << 20)) {
            throw new IllegalArgumentException("chunk size " + averageSize
                    + ": must be a power of two between 16 KiB and 16 MiB");
        }
        int bits = Integer.numberOfTrailingZeros(averageSize);
        this.averageSize = averageSize;
        this.minSize = averageSize / 4;
        this.maxSize = averageSize * 8;
        this.strictMask = -1L << (64 - (bits + 2));
        this.looseMask = -1L << (64 - (bits - 2));
    }

    public int minSize() {
        return minSize;
    }

    public int averageSize() {
        return averageSize;
    }

    public int maxSize() {
        return maxSize;
    }

    /**
     * The length of the chunk that starts at {@code data[offset]}, given {@code length} bytes from there. The
     * caller must supply at least {@link #maxSize()} bytes unless the stream ends within them: the answer is then
     * the same as with any longer input.
     */
    public int cut(byte[] data, int offset, int length) {
        Scanner scanner = scanner();
        int n = scanner.feed(data, offset, length);
        return n < 0 ? length : n;
    }

    /** A scanner that finds cut points in a stream fed piece by piece, scanning each byte once. */
    public Scanner scanner() {
        return new Scanner();
    }

    /**
     * The incremental form of {@link #cut}: it keeps the rolling hash and the current chunk's length between
     * calls, so a stream can be chunked as it arrives without rescanning or buffering ahead.
     */
    public final class Scanner {
        private long fp;
        private int length;

        private Scanner() {}

        /**
         * Feeds {@code len} bytes of the current chunk. Returns how many of them complete it (the cut falls after
         * that many), or -1 when all were consumed and the chunk goes on.
         */
        public int feed(byte[] data, int offset, int len) {
            int i = 0;
            if (length < minSize) {
                int skip = Math.min(len, minSize - length);
                length += skip;
                i = skip;
                if (length < minSize) {
                    return -1;
                }
            }
            long h = fp;
            while (i < len) {
                boolean beforeAverage = length < averageSize;
                long mask = beforeAverage ? strictMask : looseMask;
                int limit = Math.min(len, i + ((beforeAverage ? averageSize : maxSize) - length));
                int start = i;
                for (; i < limit; i++) {
                    h = (h << 1) + GEAR[data[offset + i] & 0xff];
                    if ((h & mask) == 0) {
                        reset();
                        return i + 1;
                    }
                }
                length += i - start;
                if (length == maxSize) {
                    reset();
                    return i;
                }
            }
            fp = h;
            return -1;
        }

        private void reset() {
            fp = 0;
            length = 0;
        }
    }

    private static long[] gearTable() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long[] table = new long[256];
            for (int i = 0; i < 256; i++) {
                byte[] d = sha.digest(("meshboot gear " + i).getBytes(StandardCharsets.US_ASCII));
                long v = 0;
                for (int j = 0; j < 8; j++) {
                    v = (v << 8) | (d[j] & 0xff);
                }
                table[i] = v;
            }
            return table;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
