package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshboot.clusterconfig.Ipv4;
import dev.meshboot.clusterconfig.Network;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PoolShareTest {
    private static Network.Pool pool(String a, String b) {
        return new Network.Pool(Ipv4.parse(a), Ipv4.parse(b));
    }

    @Test
    void aPoolOf100_splitsIntoThreeContiguousRanges_theFirstOneLonger() {
        Network.Pool p = pool("10.0.0.100", "10.0.0.199");
        assertEquals(Optional.of(pool("10.0.0.100", "10.0.0.133")), PoolShare.of(p, 0, 3));
        assertEquals(Optional.of(pool("10.0.0.134", "10.0.0.166")), PoolShare.of(p, 1, 3));
        assertEquals(Optional.of(pool("10.0.0.167", "10.0.0.199")), PoolShare.of(p, 2, 3));
    }

    @Test
    void aPoolSmallerThanK_leavesTheHighSlotsEmpty() {
        assertEquals(Optional.empty(), PoolShare.of(pool("10.0.0.5", "10.0.0.6"), 2, 3));
    }

    /** The ranges cover the pool exactly: disjoint, contiguous, in slot order. */
    @Property(seed = "7", tries = 300)
    void theRangesCoverThePoolExactly(@ForAll @IntRange(min = 1, max = 5000) int size,
            @ForAll @IntRange(min = 1, max = 16) int k) {
        Ipv4 start = Ipv4.parse("10.1.0.0");
        Network.Pool p = new Network.Pool(start, new Ipv4(start.bits() + size - 1));
        long next = Integer.toUnsignedLong(start.bits());
        for (int s = 0; s < k; s++) {
            Optional<Network.Pool> r = PoolShare.of(p, s, k);
            if (r.isPresent()) {
                assertEquals(next, Integer.toUnsignedLong(r.get().start().bits()));
                next = Integer.toUnsignedLong(r.get().end().bits()) + 1;
            }
        }
        assertEquals(Integer.toUnsignedLong(start.bits()) + size, next);
    }
}
