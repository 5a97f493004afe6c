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
        if (length <= minSize) {
            return length;
        }
        int end = Math.min(length, maxSize);
        int normal = Math.min(averageSize, end);
        long fp = 0;
        int i = minSize;
        for (; i < normal; i++) {
            fp = (fp << 1) + GEAR[data[offset + i] & 0xff];
            if ((fp & strictMask) == 0) {
                return i + 1;
            }
        }
        for (; i < end; i++) {
            fp = (fp << 1) + GEAR[data[offset + i] & 0xff];
            if ((fp & looseMask) == 0) {
                return i + 1;
            }
        }
        return end;
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
