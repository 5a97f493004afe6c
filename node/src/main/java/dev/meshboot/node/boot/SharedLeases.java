package dev.meshboot.node.boot;

import dev.meshboot.clusterconfig.Ipv4;
import dev.meshboot.clusterconfig.Mac;
import java.util.Set;

/**
 * The dynamic leases the whole mesh has handed out, beside this server's own {@link LeaseBook}. With K active boot
 * servers each leases from its own slot of the pool, but slots move (a server dies, a partition heals) and the new
 * holder of a range must not hand out an address the old holder leased: so every lease is also written to the
 * replicated store, and a server offers no address that another machine holds there.
 */
public interface SharedLeases {
    /** Addresses on {@code network} that live leases give to machines other than {@code mac}. */
    Set<Ipv4> heldByOthers(String network, Mac mac);

    /** Records an acknowledged lease for the mesh; a failure to record is logged, the lease stands. */
    void leased(String network, Mac mac, Ipv4 address, int seconds);

    /** A lone agent: its lease book is the whole truth. */
    SharedLeases NONE = new SharedLeases() {
        @Override
        public Set<Ipv4> heldByOthers(String network, Mac mac) {
            return Set.of();
        }

        @Override
        public void leased(String network, Mac mac, Ipv4 address, int seconds) {}
    };
}
