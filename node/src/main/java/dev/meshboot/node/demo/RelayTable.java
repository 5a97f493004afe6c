package dev.meshboot.node.demo;

import dev.meshboot.clusterconfig.Ipv4;
import dev.meshboot.clusterconfig.Mac;
import dev.meshboot.node.dhcp.DhcpMessage;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A DHCP relay agent's decisions, free of sockets (RFC 1542 section 4.1, RFC 2131 section 4.1): what a request
 * becomes on its way to the servers, and which client a reply goes back to.
 *
 * <p>Toward the servers: a BOOTREQUEST gets the relay's address in {@code giaddr} if it has none (the first relay
 * fills it; a later one leaves it, RFC 1542 4.1.1), its {@code hops} counted up, and is dropped past
 * {@value #MAX_HOPS} hops. Back to the client: a real relay broadcasts the BOOTREPLY on the client's segment, where
 * the client picks it out by {@code chaddr} and {@code xid}; the demo's segment is this table, which remembers where
 * each client's request came from by the same two fields. Entries expire after {@link #KEEP}, and the table holds at
 * most {@value #MAX_ENTRIES}, the oldest going first, so a flood of requests cannot grow it without bound.
 */
final class RelayTable {
    /** RFC 1542 section 4.1.1: "the relay agent MUST silently discard" a request with more hops than configured. */
    static final int MAX_HOPS = 16;
    static final int MAX_ENTRIES = 1024;
    static final Duration KEEP = Duration.ofSeconds(60);

    private record Key(int xid, Mac mac) {}

    private record Client(InetSocketAddress address, Instant seen) {}

    private final Map<Key, Client> clients = new LinkedHashMap<>();

    /**
     * The request as the relay forwards it, or empty when it must be dropped (not a request, no Ethernet address,
     * too many hops).
     */
    static Optional<DhcpMessage> towardServers(DhcpMessage m, Ipv4 relay) {
        if (m.op() != DhcpMessage.BOOTREQUEST || m.mac().isEmpty() || m.hops() >= MAX_HOPS) {
            return Optional.empty();
        }
        int giaddr = m.giaddr() != 0 ? m.giaddr() : relay.bits();
        return Optional.of(new DhcpMessage(m.op(), m.htype(), m.hlen(), m.hops() + 1, m.xid(), m.secs(), m.flags(),
                m.ciaddr(), m.yiaddr(), m.siaddr(), giaddr, m.chaddr(), m.sname(), m.file(), m.options()));
    }

    /** Remembers where a client's request came from. */
    synchronized void remember(DhcpMessage request, InetSocketAddress from, Instant now) {
        Key k = new Key(request.xid(), request.mac().orElseThrow());
        clients.remove(k); // re-inserted last: the map's order is the order of last use
        clients.put(k, new Client(from, now));
        expire(now);
        while (clients.size() > MAX_ENTRIES) {
            clients.remove(clients.keySet().iterator().next());
        }
    }

    /** Where a reply goes: the client whose request had its {@code xid} and {@code chaddr}, if still known. */
    synchronized Optional<InetSocketAddress> clientOf(DhcpMessage reply, Instant now) {
        expire(now);
        if (reply.op() != DhcpMessage.BOOTREPLY || reply.mac().isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(clients.get(new Key(reply.xid(), reply.mac().get()))).map(Client::address);
    }

    synchronized int size() {
        return clients.size();
    }

    private void expire(Instant now) {
        clients.values().removeIf(c -> Duration.between(c.seen(), now).compareTo(KEEP) > 0);
    }
}
