package dev.meshboot.images.chunk;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * An output stream that cuts what is written to it into content-defined chunks and hands each one, in order, to a
 * {@link ChunkSink}. Cut points are found as bytes arrive ({@link FastCdcChunker.Scanner}), so each byte is scanned
 * once and copied twice (into the chunk buffer, then into the exact-size chunk handed on), and memory is one
 * maximum-size chunk whatever is written.
 */
public final class ChunkingOutputStream extends OutputStream {
    /** Receives each chunk in stream order; the array is the sink's to keep. */
    @FunctionalInterface
    public interface ChunkSink {
        void accept(byte[] chunk) throws IOException;
    }

    private final FastCdcChunker.Scanner scanner;
    private final ChunkSink sink;
    private final byte[] buffer;
    private int filled;
    private boolean closed;

    public ChunkingOutputStream(FastCdcChunker chunker, ChunkSink sink) {
        this.scanner = chunker.scanner();
        this.sink = sink;
        this.buffer = new byte[chunker.maxSize()];
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
        while (len > 0) {
            int cut = scanner.feed(b, off, len);
            int take = cut < 0 ? len : cut;
            System.arraycopy(b, off, buffer, filled, take);
            filled += take;
            off += take;
            len -= take;
            if (cut >= 0) {
                emit();
            }
        }
    }

    private void emit() throws IOException {
        sink.accept(Arrays.copyOf(buffer, filled));
        filled = 0;
    }

    /** Hands on the last, possibly short, chunk: the stream's end is always a cut point. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (filled > 0) {
            emit();
        }
    }
}
