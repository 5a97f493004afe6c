package dev.meshboot.images.read;

import java.io.IOException;
import java.io.InputStream;

/** The uncompressed tar stream of an archive, one verified chunk at a time: memory holds a single chunk. */
final class ArchiveContentStream extends InputStream {
    private final VerifiedChunks chunks;
    private byte[] current = new byte[0];
    private int pos;

    ArchiveContentStream(VerifiedChunks chunks) {
        this.chunks = chunks;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (pos == current.length) {
            if (!chunks.hasNext()) {
                return -1;
            }
            current = chunks.next().content();
            pos = 0;
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n) {
            if (pos == current.length) {
                if (!chunks.hasNext()) {
                    break;
                }
                current = chunks.next().content();
                pos = 0;
            }
            int step = (int) Math.min(n - skipped, current.length - pos);
            pos += step;
            skipped += step;
        }
        return skipped;
    }
}
