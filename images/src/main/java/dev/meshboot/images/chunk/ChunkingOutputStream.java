package dev.meshboot.images.chunk;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * An output stream that cuts what is written to it into content-defined chunks and hands each one, in order, to a
 * {@link ChunkSink}. It buffers at most two maximum-size chunks, so memory is bounded whatever is written, and each
 * byte is scanned once.
 */
public final class ChunkingOutputStream extends OutputStream {
    /** Receives each chunk in stream order; the array is the sink's to keep. */
    @FunctionalInterface
    public interface ChunkSink {
        void accept(byte[] chunk) throws IOException;
    }

    private final FastCdcChunker chunker;
    private final ChunkSink sink;
    private final byte[] buffer;
    private int filled;
    private long total;
    private boolean closed;

    public ChunkingOutputStream(FastCdcChunker chunker, ChunkSink sink) {
        this.chunker = chunker;
        this.sink = sink;
        this.buffer = new byte[chunker.maxSize() * 2];
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        total += len;
        while (len > 0) {
            int n = Math.min(len, buffer.length - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
            cutWhileFull();
        }
    }

    /** Bytes written so far. */
    public long total() {
        return total;
    }

    private void cutWhileFull() throws IOException {
        int start = 0;
        while (filled - start >= chunker.maxSize()) {
            int length = chunker.cut(buffer, start, filled - start);
            sink.accept(Arrays.copyOfRange(buffer, start, start + length));
            start += length;
        }
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, filled - start);
            filled -= start;
        }
    }

    /** Cuts and hands on whatever remains; the stream's end is always a cut point. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        int start = 0;
        while (start < filled) {
            int length = chunker.cut(buffer, start, filled - start);
            sink.accept(Arrays.copyOfRange(buffer, start, start + length));
            start += length;
        }
        filled = 0;
    }
}
