package dev.meshboot.node.mesh;

import dev.meshboot.clusterconfig.Ipv4;
import dev.meshboot.clusterconfig.Network;

/**
 * The part of a dynamic pool one active boot server hands out: the pool split into K contiguous, disjoint ranges,
 * range {@code s} for slot {@code s}. The first {@code size mod K} ranges are one address longer, so the ranges
 * cover the pool exactly. A pool smaller than K leaves the highest slots an empty range.
 */
public final class PoolShare {
    private PoolShare() {}

    /** The range of slot {@code slot} of {@code k}, or empty if the pool has fewer addresses than slots. */
    public static java.util.Optional<Network.Pool> of(Network.Pool pool, int slot, int k) {
        if (k < 1 || slot < 0 || slot >= k) {
            throw new IllegalArgumentException("slot " + slot + " of " + k);
        }
        long size = pool.size();
        long base = size / k;
        long extra = size % k;
        long start = slot * base + Math.min(slot, extra);
        long length = base + (slot < extra ? 1 : 0);
        if (length == 0) {
            return java.util.Optional.empty();
        }
        long first = Integer.toUnsignedLong(pool.start().bits()) + start;
        return java.util.Optional.of(new Network.Pool(new Ipv4((int) first), new Ipv4((int) (first + length - 1))));
    }
}
