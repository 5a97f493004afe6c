package dev.meshboot.node.cluster;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How this member joins its cluster: the settings of the agent's {@code cluster:} section (docs/configuration.md),
 * already checked.
 *
 * @param cluster the cluster name; members of different names never see each other
 * @param member this member's name in views and in the store's versions (the host name by default)
 * @param transport how messages travel
 * @param bindAddress the local address to bind (UDP, TCP); also where FD and unicasts go
 * @param bindPort the local port (TCP: peers list it; UDP: unicast port, 0 for any)
 * @param multicast the group address and port (UDP only)
 * @param peers the static peers to ask at join (TCP only: TCPPING's initial hosts, this member may be among them)
 * @param dns instead of static peers (TCP only): who to ask at join, from DNS (DNS_PING)
 * @param timing failure detection and merge timings
 * @param crashDetection whether a TCP connection to a neighbour watches for its crash (FD_SOCK2, on the cluster
 *     port + {@value #CRASH_PORT_OFFSET}): a killed process is noticed when its kernel closes the connection, within
 *     a second, rather than after {@code timing.suspectAfter()} (UDP and TCP transports only)
 */
public record ChannelSettings(String cluster, String member, Transport transport, InetAddress bindAddress,
        int bindPort, InetSocketAddress multicast, List<InetSocketAddress> peers, Timing timing,
        boolean crashDetection, java.util.Optional<Dns> dns) {
    /** FD_SOCK2 listens on the cluster port plus this (its default): 7800 -> 7900. */
    public static final int CRASH_PORT_OFFSET = 100;

    public enum Transport {
        /** IP multicast for broadcasts and discovery: the default on a LAN that carries multicast. */
        UDP,
        /** TCP with static discovery (TCPPING): where multicast is missing or filtered. */
        TCP,
        /** In-process only (JGroups SHARED_LOOPBACK): members of one JVM, for tests. */
        LOOPBACK
    }

    /**
     * Failure detection and merge timings. Slow VMs need longer ones; LAB.md measured the defaults (3 containers):
     * a killed member leaves the view in ~1 s, a partition splits it in ~4 s and it merges ~5 s after healing.
     *
     * @param suspectAfter FD_ALL3 timeout: a member not heard from for this long is suspected
     * @param heartbeat FD_ALL3 interval: how often each member sends a heartbeat
     * @param verify VERIFY_SUSPECT2 timeout: how long a suspect has to answer before it is excluded
     * @param mergeMin MERGE3 min_interval: the shortest pause between two merge announcements
     * @param mergeMax MERGE3 max_interval: the longest
     * @param join GMS join_timeout: how long a joiner waits for the coordinator before trying again or becoming
     *     a singleton that MERGE3 merges later
     */
    public record Timing(Duration suspectAfter, Duration heartbeat, Duration verify, Duration mergeMin,
            Duration mergeMax, Duration join) {
        public static final Timing DEFAULTS = new Timing(Duration.ofMillis(3000), Duration.ofMillis(1000),
                Duration.ofMillis(500), Duration.ofMillis(1000), Duration.ofMillis(3000), Duration.ofMillis(2000));

        public Timing {
            if (heartbeat.compareTo(suspectAfter) >= 0) {
                throw new IllegalArgumentException("the heartbeat (" + heartbeat.toMillis()
                        + " ms) must be shorter than the suspicion timeout (" + suspectAfter.toMillis() + " ms)");
            }
            if (mergeMin.compareTo(mergeMax) >= 0) {
                throw new IllegalArgumentException("mergeMin (" + mergeMin.toMillis() + " ms) must be below mergeMax ("
                        + mergeMax.toMillis() + " ms)");
            }
        }
    }

    public ChannelSettings {
        Objects.requireNonNull(cluster);
        Objects.requireNonNull(member);
        Objects.requireNonNull(transport);
        peers = List.copyOf(peers);
        if (crashDetection && transport == Transport.LOOPBACK) {
            throw new IllegalArgumentException("crash detection needs a transport with sockets (udp or tcp)");
        }
        Objects.requireNonNull(dns);
        if (dns.isPresent() && transport != Transport.TCP) {
            throw new IllegalArgumentException("DNS discovery is for the TCP transport");
        }
        if (transport == Transport.TCP && peers.isEmpty() && dns.isEmpty()) {
            throw new IllegalArgumentException("the TCP transport needs static peers or a DNS name");
        }
    }

    /**
     * Peers from DNS: SRV records (each gives a host and the member's cluster port) or A records (each an address;
     * every member then listens on the same cluster port). One name for the cluster, kept by whoever runs DNS; a
     * member that is not in it yet still joins, as long as one that is answers.
     *
     * @param query the name to look up, e.g. {@code _meshboot._tcp.prov.example.net} (SRV) or
     *     {@code meshboot.prov.example.net} (A)
     * @param srv SRV records rather than A
     * @param server the DNS server as {@code host:port}; empty for the system's resolver
     */
    public record Dns(String query, boolean srv, java.util.Optional<String> server) {}

    /** With crash detection (the default wherever the transport has sockets), no DNS discovery. */
    public ChannelSettings(String cluster, String member, Transport transport, InetAddress bindAddress, int bindPort,
            InetSocketAddress multicast, List<InetSocketAddress> peers, Timing timing) {
        this(cluster, member, transport, bindAddress, bindPort, multicast, peers, timing, transport != Transport.LOOPBACK,
                java.util.Optional.empty());
    }

    /** No DNS discovery. */
    public ChannelSettings(String cluster, String member, Transport transport, InetAddress bindAddress, int bindPort,
            InetSocketAddress multicast, List<InetSocketAddress> peers, Timing timing, boolean crashDetection) {
        this(cluster, member, transport, bindAddress, bindPort, multicast, peers, timing, crashDetection,
                java.util.Optional.empty());
    }

    /** In-process members over JGroups' loopback transport, with the default timings (tests). */
    public static ChannelSettings loopback(String cluster, String member) {
        return new ChannelSettings(cluster, member, Transport.LOOPBACK, InetAddress.getLoopbackAddress(), 0,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), List.of(), Timing.DEFAULTS, false,
                java.util.Optional.empty());
    }

    public ChannelSettings withTiming(Timing t) {
        return new ChannelSettings(cluster, member, transport, bindAddress, bindPort, multicast, peers, t,
                crashDetection, dns);
    }
}
