package dev.meshboot.node.cluster;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until a deadline instead of sleeping a fixed time. */
final class Await {
    private Await() {}

    static void until(Duration timeout, BooleanSupplier condition, Supplier<String> state) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toMillis() + " ms: " + state.get());
            }
            Thread.sleep(20);
        }
    }
}
