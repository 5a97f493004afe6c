package dev.meshboot.clusterconfig;

import java.util.List;
import java.util.Optional;

/**
 * A layer-2 network machines boot on: an IPv4 subnet, its router and resolvers, and an optional dynamic pool for
 * machines not yet enrolled.
 */
public record Network(String name, Ipv4.Subnet subnet, Optional<Ipv4> gateway, List<Ipv4> dns, String domain,
        int leaseSeconds, Optional<Pool> pool) {

    public Network {
        dns = List.copyOf(dns);
    }

    /** An inclusive address range. */
    public record Pool(Ipv4 start, Ipv4 end) {
        public boolean contains(Ipv4 a) {
            return Integer.compareUnsigned(a.bits(), start.bits()) >= 0 && Integer.compareUnsigned(a.bits(), end.bits()) <= 0;
        }

        public long size() {
            return Integer.toUnsignedLong(end.bits()) - Integer.toUnsignedLong(start.bits()) + 1;
        }
    }
}
