package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private long now;
    private final List<Long> waits = new ArrayList<>();

    private RateLimiter limiter(long rate) {
        return new RateLimiter(rate, () -> now, n -> {
            waits.add(n);
            now += n;
        });
    }

    @Test
    void aBurstOfOneSecondPasses_thenEachByteWaitsItsShare() throws Exception {
        RateLimiter l = limiter(1_000_000);
        l.acquire(1_000_000); // the full bucket
        assertEquals(List.of(), waits);
        l.acquire(500_000);
        assertEquals(List.of(500_000_000L), waits, "half a second for half a second's bytes");
    }

    @Test
    void idleTime_refillsTheBucket_butNeverBeyondOneSecond() throws Exception {
        RateLimiter l = limiter(1_000_000);
        l.acquire(1_000_000);
        now += 10_000_000_000L; // ten idle seconds
        l.acquire(1_000_000);
        assertEquals(List.of(), waits);
        l.acquire(250_000);
        assertEquals(List.of(250_000_000L), waits);
    }

    @Test
    void overTime_theAverageRateIsTheCap() throws Exception {
        RateLimiter l = limiter(2_000_000);
        long start = now;
        for (int i = 0; i < 100; i++) {
            l.acquire(100_000);
        }
        // 10 MB at 2 MB/s with a 2 MB head start: 4 s.
        assertEquals(4_000_000_000L, now - start, 1_000_000);
    }
}
