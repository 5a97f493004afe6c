package dev.meshboot.node.mesh;

import java.util.function.LongSupplier;

/**
 * A token bucket for the optional replication bandwidth cap: a fetch takes as many tokens as it has bytes, and
 * waits while the bucket is empty. The bucket holds one second of tokens, so a burst never exceeds the cap by more
 * than a second's worth. The nanosecond source is injected, so the arithmetic is tested without waiting.
 */
public final class RateLimiter {
    /** How the limiter waits; real code sleeps, tests record. */
    @FunctionalInterface
    public interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    private final long bytesPerSecond;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private double tokens;
    private long last;

    public RateLimiter(long bytesPerSecond, LongSupplier nanoTime, Sleeper sleeper) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("a cap is positive");
        }
        this.bytesPerSecond = bytesPerSecond;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.last = nanoTime.getAsLong();
        this.tokens = bytesPerSecond;
    }

    /** Takes {@code bytes} tokens, waiting for them if the bucket is short. */
    public void acquire(long bytes) throws InterruptedException {
        long wait;
        synchronized (this) {
            long now = nanoTime.getAsLong();
            tokens = Math.min(bytesPerSecond, tokens + (now - last) * (double) bytesPerSecond / 1e9);
            last = now;
            tokens -= bytes;
            wait = tokens >= 0 ? 0 : (long) (-tokens * 1e9 / bytesPerSecond);
        }
        if (wait > 0) {
            sleeper.sleepNanos(wait);
        }
    }
}
