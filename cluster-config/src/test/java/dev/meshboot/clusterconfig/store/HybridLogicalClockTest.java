package dev.meshboot.clusterconfig.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HybridLogicalClockTest {
    private final MutableClock wall = new MutableClock(1_000_000);
    private final HybridLogicalClock hlc = new HybridLogicalClock(wall, "a");

    @Test
    void tick_followsWallTime_whenItMovesForward() {
        assertEquals(new HlcTimestamp(1_000_000, 0, "a"), hlc.tick());
        wall.advance(Duration.ofMillis(5));
        assertEquals(new HlcTimestamp(1_000_005, 0, "a"), hlc.tick());
    }

    @Test
    void tick_withinOneMillisecond_countsUp() {
        assertEquals(0, hlc.tick().logical());
        assertEquals(1, hlc.tick().logical());
        assertEquals(2, hlc.tick().logical());
    }

    @Test
    void tick_staysMonotonic_whenTheWallClockGoesBackwards() {
        HlcTimestamp before = hlc.tick();
        wall.set(500_000); // NTP stepped the clock back by 500 s
        HlcTimestamp after = hlc.tick();
        assertTrue(after.compareTo(before) > 0, after + " after " + before);
        assertEquals(1_000_000, after.millis(), "holds the highest millis seen");
        assertEquals(1, after.logical());
        wall.set(1_000_001);
        assertEquals(new HlcTimestamp(1_000_001, 0, "a"), hlc.tick(), "back to wall time once it catches up");
    }

    @Test
    void receive_ofAFutureTimestamp_ordersEveryLaterTickAfterIt() {
        hlc.tick();
        HlcTimestamp future = new HlcTimestamp(9_000_000, 7, "b");
        HlcTimestamp got = hlc.receive(future);
        assertEquals(new HlcTimestamp(9_000_000, 8, "a"), got);
        HlcTimestamp next = hlc.tick();
        assertTrue(next.compareTo(future) > 0, next + " after " + future);
        assertEquals(9_000_000, next.millis(), "the wall clock (1,000,000) is behind; the HLC is not");
    }

    @Test
    void receive_ofAPastTimestamp_keepsLocalTimeAndCountsUp() {
        wall.set(2_000_000);
        HlcTimestamp t = hlc.tick();
        HlcTimestamp got = hlc.receive(new HlcTimestamp(1_500_000, 3, "b"));
        assertEquals(new HlcTimestamp(2_000_000, t.logical() + 1, "a"), got);
    }

    @Test
    void receive_atTheSameMillis_takesTheGreaterCounterPlusOne() {
        hlc.tick(); // 1,000,000.0
        assertEquals(new HlcTimestamp(1_000_000, 6, "a"), hlc.receive(new HlcTimestamp(1_000_000, 5, "b")));
    }

    @Test
    void receive_whenWallTimeIsAheadOfBoth_resetsTheCounter() {
        hlc.tick();
        wall.set(3_000_000);
        assertEquals(new HlcTimestamp(3_000_000, 0, "a"), hlc.receive(new HlcTimestamp(2_000_000, 9, "b")));
    }

    @Test
    void counterOverflow_movesOneMillisecondAhead_ratherThanWrapping() {
        hlc.receive(new HlcTimestamp(1_000_000, Integer.MAX_VALUE - 1, "b"));
        HlcTimestamp t = hlc.tick();
        assertEquals(new HlcTimestamp(1_000_001, 0, "a"), t);
    }

    @Test
    void timestamps_orderByMillisThenCounterThenMember() {
        assertTrue(new HlcTimestamp(1, 9, "z").compareTo(new HlcTimestamp(2, 0, "a")) < 0);
        assertTrue(new HlcTimestamp(2, 0, "z").compareTo(new HlcTimestamp(2, 1, "a")) < 0);
        assertTrue(new HlcTimestamp(2, 1, "a").compareTo(new HlcTimestamp(2, 1, "b")) < 0);
        assertThrows(IllegalArgumentException.class, () -> new HlcTimestamp(1, 0, "bad member"));
    }
}
