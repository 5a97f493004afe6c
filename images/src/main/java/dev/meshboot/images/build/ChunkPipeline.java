package dev.meshboot.images.build;

import com.github.luben.zstd.Zstd;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.store.ChunkStore;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Turns one archive's chunks, in stream order, into stored zstd frames, using every core: hashing and compression
 * run on the shared executor, while results are taken back in order to build the chunk list and the SHA-256 of the
 * whole compressed stream. At most {@code maxInFlight} chunks are held at once, so memory stays bounded.
 *
 * <p>A chunk already in the store is not compressed again: its stored frame is reused as is, so the stream hash
 * matches the bytes that will actually be served.
 */
final class ChunkPipeline {
    private record Stored(String id, int size, byte[] compressed) {}

    private final ExecutorService executor;
    private final ChunkStore store;
    private final int level;
    private final int maxInFlight;
    private final Deque<Future<Stored>> inFlight = new ArrayDeque<>();
    private final List<ChunkRef> chunks = new ArrayList<>();
    private final MessageDigest streamDigest = ChunkStore.sha256();
    private long tarBytes;
    private long compressedBytes;
    private long newChunks;
    private long newBytes;

    ChunkPipeline(ExecutorService executor, ChunkStore store, int level, int maxInFlight) {
        this.executor = executor;
        this.store = store;
        this.level = level;
        this.maxInFlight = maxInFlight;
    }

    void accept(byte[] chunk) throws IOException {
        while (inFlight.size() >= maxInFlight) {
            collect(inFlight.removeFirst());
        }
        inFlight.addLast(executor.submit(() -> store(chunk)));
    }

    private Stored store(byte[] chunk) throws IOException {
        String id = ChunkStore.idOf(chunk);
        if (store.contains(id)) {
            return new Stored(id, chunk.length, store.readCompressed(id));
        }
        byte[] compressed = Zstd.compress(chunk, level);
        store.put(id, compressed);
        synchronized (this) {
            newChunks++;
            newBytes += compressed.length;
        }
        return new Stored(id, chunk.length, compressed);
    }

    private void collect(Future<Stored> future) throws IOException {
        Stored s;
        try {
            s = future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("build interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("chunk compression failed", e.getCause());
        }
        chunks.add(new ChunkRef(s.id(), s.size(), s.compressed().length));
        streamDigest.update(s.compressed());
        tarBytes += s.size();
        compressedBytes += s.compressed().length;
    }

    /** Waits for every chunk; after this the getters are final. */
    void finish() throws IOException {
        while (!inFlight.isEmpty()) {
            collect(inFlight.removeFirst());
        }
    }

    /** Cancels whatever is still running, after a failure. */
    void abort() {
        inFlight.forEach(f -> f.cancel(true));
        inFlight.clear();
    }

    List<ChunkRef> chunks() {
        return chunks;
    }

    String streamSha256() {
        return HexFormat.of().formatHex(streamDigest.digest());
    }

    long tarBytes() {
        return tarBytes;
    }

    long compressedBytes() {
        return compressedBytes;
    }

    synchronized long newChunks() {
        return newChunks;
    }

    synchronized long newBytes() {
        return newBytes;
    }
}
