package dev.meshboot.images.build;

import com.github.luben.zstd.ZstdCompressCtx;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.store.ChunkStore;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns one archive's chunks, in stream order, into stored zstd frames, using every core. Three stages:
 * <ol>
 *   <li>the caller (the tree walker) hands each chunk in and moves on;
 *   <li>the shared executor hashes, compresses and stores chunks in parallel;
 *   <li>a collector thread takes the results back in stream order, to build the chunk list and the SHA-256 of the
 *       whole compressed stream, which is inherently sequential and so kept off the walker's thread.
 * </ol>
 * At most {@code maxInFlight} chunks are queued, so memory stays bounded and the walker slows to the compressors'
 * pace. A chunk already in the store is not compressed again: its stored frame is reused as is, so the stream hash
 * matches the bytes that will actually be served.
 */
final class ChunkPipeline {
    private record Stored(String id, int size, byte[] compressed) {}

    private static final Future<Stored> END = CompletableFuture.completedFuture(null);

    private final ExecutorService executor;
    private final ChunkStore store;
    private final java.time.Clock clock;
    private final BlockingQueue<Future<Stored>> inOrder;
    private final Thread collector;
    private final List<ChunkRef> chunks = new ArrayList<>();
    private final MessageDigest streamDigest = ChunkStore.sha256();
    /**
     * One zstd context per worker thread: a context costs about a megabyte of tables to set up, and making one per
     * chunk (what {@code Zstd.compress} does) spent more time than compressing small chunks.
     */
    private final ThreadLocal<ZstdCompressCtx> compressors;
    private final Queue<ZstdCompressCtx> contexts = new ConcurrentLinkedQueue<>();
    private final AtomicLong newChunks = new AtomicLong();
    private final AtomicLong newBytes = new AtomicLong();
    private volatile Throwable failure;
    private long tarBytes;
    private long compressedBytes;
    private String streamSha256;

    ChunkPipeline(String archive, ExecutorService executor, ChunkStore store, int level, int maxInFlight,
            java.time.Clock clock) {
        this.executor = executor;
        this.store = store;
        this.clock = clock;
        this.compressors = ThreadLocal.withInitial(() -> {
            ZstdCompressCtx ctx = new ZstdCompressCtx().setLevel(level).setChecksum(false);
            contexts.add(ctx);
            return ctx;
        });
        this.inOrder = new ArrayBlockingQueue<>(maxInFlight);
        this.collector = Thread.ofPlatform().name("meshboot-collect-" + archive).daemon().start(this::collect);
    }

    void accept(byte[] chunk) throws IOException {
        rethrow();
        Future<Stored> f = executor.submit(() -> store(chunk));
        try {
            inOrder.put(f);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("build interrupted");
        }
    }

    private Stored store(byte[] chunk) throws IOException {
        String id = ChunkStore.idOf(chunk);
        if (store.contains(id)) {
            // Young again: a garbage collection running meanwhile spares it though no manifest names it yet.
            store.touch(id, clock.instant());
            return new Stored(id, chunk.length, store.readCompressed(id));
        }
        byte[] compressed = compressors.get().compress(chunk);
        store.put(id, compressed);
        newChunks.incrementAndGet();
        newBytes.addAndGet(compressed.length);
        return new Stored(id, chunk.length, compressed);
    }

    /** The collector thread: results in stream order, until END. After a failure it only drains and cancels. */
    private void collect() {
        while (true) {
            Future<Stored> f;
            try {
                f = inOrder.take();
            } catch (InterruptedException e) {
                failure = e;
                return;
            }
            if (f == END) {
                streamSha256 = HexFormat.of().formatHex(streamDigest.digest());
                return;
            }
            if (failure != null) {
                awaitQuietly(f); // a running task still uses its zstd context: let it end before contexts close
                continue;
            }
            try {
                Stored s = f.get();
                chunks.add(new ChunkRef(s.id(), s.size(), s.compressed().length));
                streamDigest.update(s.compressed());
                tarBytes += s.size();
                compressedBytes += s.compressed().length;
            } catch (ExecutionException e) {
                failure = e.getCause();
            } catch (InterruptedException e) {
                failure = e;
                return;
            }
        }
    }

    /** Waits for every chunk; after this the getters are final. */
    void finish() throws IOException {
        try {
            inOrder.put(END);
            collector.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("build interrupted");
        } finally {
            closeContexts();
        }
        rethrow();
    }

    /** Stops the collector after a failure elsewhere. */
    void abort() {
        collector.interrupt();
        inOrder.forEach(f -> f.cancel(true));
        // Contexts are not closed here: a task may still be compressing. They are freed with their threads.
    }

    private static void awaitQuietly(Future<Stored> f) {
        try {
            f.get();
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            // already failed; the first failure is the one reported
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Frees the native zstd contexts; every chunk task has ended by the time this runs. */
    private void closeContexts() {
        ZstdCompressCtx ctx;
        while ((ctx = contexts.poll()) != null) {
            ctx.close();
        }
    }

    private void rethrow() throws IOException {
        Throwable t = failure;
        if (t == null) {
            return;
        }
        if (t instanceof IOException io) {
            throw io;
        }
        throw new IOException("chunk compression failed: " + t, t);
    }

    List<ChunkRef> chunks() {
        return chunks;
    }

    String streamSha256() {
        return streamSha256;
    }

    long tarBytes() {
        return tarBytes;
    }

    long compressedBytes() {
        return compressedBytes;
    }

    long newChunks() {
        return newChunks.get();
    }

    long newBytes() {
        return newBytes.get();
    }
}
