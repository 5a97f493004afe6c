package dev.meshboot.node.mesh;

import dev.meshboot.clusterconfig.Mac;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The servers a booting machine's {@code /init} fetches its snapshot from ({@code meshboot.servers=}, tried in
 * order, the next on any failure): every member in view that holds the snapshot whole, this member by its address
 * on the machine's network, in an order rotated by the machine's MAC. So a hundred machines booting at once start
 * on as many different members as hold the snapshot, rather than all on the server that answered their DHCP, and
 * each still has every holder to fail over to. A peer is listed by the address of its advertised HTTP base URL
 * (its first interface): on a cluster with several networks, list the servers per network in the agent's
 * {@code bootServers} instead.
 */
public final class ArchiveServers {
    private ArchiveServers() {}

    /**
     * @param own this member's host:port on the machine's network
     * @param members the adverts of the members in view (this one included)
     */
    public static List<String> forMachine(Mac mac, String snapshot, List<String> own, List<MemberAdvert> members,
            String self) {
        Set<String> holders = new LinkedHashSet<>();
        for (MemberAdvert m : members) {
            if (m.state().member().equals(self)) {
                holders.addAll(own);
            } else if (m.state().snapshots().contains(snapshot)) {
                holders.add(m.http().replaceFirst("^https?://", "").replaceFirst("/.*$", ""));
            }
        }
        holders.addAll(own); // this member serves it whatever it advertised a moment ago
        List<String> list = new ArrayList<>(holders);
        java.util.Collections.rotate(list, -Math.floorMod(mac.text().hashCode(), list.size()));
        return list;
    }
}
