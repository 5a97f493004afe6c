package dev.meshboot.node.cluster;

import java.util.ArrayList;
import java.util.List;
import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG2;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.PING;
import org.jgroups.protocols.SERIALIZE;
import org.jgroups.protocols.SHARED_LOOPBACK;
import org.jgroups.protocols.SHARED_LOOPBACK_PING;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.TP;
import org.jgroups.protocols.UDP;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.dns.DNS_PING;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;

/**
 * The agent's protocol stack, built in code so every choice sits next to its reason (docs/cluster.md, "The
 * channel"). Bottom to top:
 *
 * <ol>
 *   <li><b>transport</b>: UDP (IP multicast) by default, TCP where multicast is missing, SHARED_LOOPBACK in
 *       tests. Diagnostics (JGroups' "probe" listener) stay off: nothing administrative listens on the network.
 *   <li><b>SYM_ENCRYPT</b> right above the transport, with an AES key derived from the cluster secret: every
 *       message that leaves the process is encrypted, discovery and failure detection included, so a process
 *       without the secret neither finds the cluster nor reads it, and its own messages are dropped unread.
 *   <li><b>SERIALIZE</b> above it: SYM_ENCRYPT alone encrypts payloads but not headers (which carry GMS's joins and
 *       views); SERIALIZE turns the whole message, headers included, into the payload that is encrypted.
 *   <li><b>discovery</b>: PING (multicast), TCPPING (the static peers) or DNS_PING (SRV or A records of one name),
 *       SHARED_LOOPBACK_PING.
 *   <li><b>MERGE3</b>: after a partition heals, subgroup coordinators find each other and merge; its interval is
 *       what bounds the time to merge.
 *   <li><b>FD_SOCK2</b> (unless {@code crashDetection} is off): each member keeps a TCP connection to its
 *       neighbour in the view; when a process dies its kernel closes the connection and the neighbour suspects it
 *       at once. This is what makes a killed boot server leave the view in about a second instead of after the
 *       heartbeat timeout (the boot plane's goal: a DHCP client answered again within 3 s). Its frames travel
 *       outside SYM_ENCRYPT (own sockets): they carry member addresses and connect/close notices only, and the
 *       worst a forged one can do is a suspicion, which VERIFY_SUSPECT2 checks over the encrypted channel before
 *       anyone is excluded (docs/threat-model.md).
 *   <li><b>FD_ALL3</b> and <b>VERIFY_SUSPECT2</b>: heartbeats to everyone, a member silent for the timeout is
 *       suspected and, unless it answers within the verify timeout, excluded: what catches a hung process or a
 *       cut link, which close no connection.
 *   <li><b>NAKACK2</b>, <b>UNICAST3</b>: reliable, FIFO multicast and unicast; the store's replication relies on
 *       it within a view and uses anti-entropy across views.
 *   <li><b>STABLE</b>: garbage-collects messages every member has received.
 *   <li><b>AUTH</b>: directly below GMS, refuses join and merge requests whose token ({@link JoinToken}) was not
 *       derived from the same secret.
 *   <li><b>GMS</b>: membership; the coordinator is the view's first member.
 *   <li><b>MFC</b>, <b>UFC</b>: flow control, so a burst (a full anti-entropy to an empty member) cannot outrun a
 *       slow receiver.
 *   <li><b>FRAG2</b>: splits messages above 60 KB (a UDP datagram's limit less the encryption's overhead).
 * </ol>
 */
public final class ChannelStack {
    private static final int FRAG_SIZE = 60_000;

    private ChannelStack() {}

    /** A fresh list of protocols, bottom (transport) first, for {@code new JChannel(list)}. */
    public static List<Protocol> protocols(ChannelSettings settings, ClusterSecret secret) {
        ChannelSettings.Timing t = settings.timing();
        List<Protocol> stack = new ArrayList<>();
        stack.add(transport(settings));
        stack.add(new SYM_ENCRYPT().setSecretKey(secret.encryptionKey())
                .symAlgorithm("AES/CBC/PKCS5Padding").symIvLength(16).symKeylength(128));
        stack.add(new SERIALIZE());
        stack.add(discovery(settings));
        stack.add(new MERGE3().setMinInterval(t.mergeMin().toMillis()).setMaxInterval(t.mergeMax().toMillis()));
        if (settings.crashDetection()) {
            stack.add(new FD_SOCK2().setBindAddress(settings.bindAddress())
                    .setOffset(ChannelSettings.CRASH_PORT_OFFSET).setPortRange(5));
        }
        stack.add(new FD_ALL3().setTimeout(t.suspectAfter().toMillis()).setInterval(t.heartbeat().toMillis()));
        stack.add(new VERIFY_SUSPECT2().setTimeout(t.verify().toMillis()));
        NAKACK2 nakack = new NAKACK2();
        // Retransmissions by unicast: over TCP there is no multicast, and over UDP it spares the others.
        nakack.setValue("use_mcast_xmit", false);
        stack.add(nakack);
        stack.add(new UNICAST3());
        stack.add(new STABLE());
        stack.add(new AUTH().setAuthToken(new JoinToken(secret.joinToken(settings.cluster()))));
        stack.add(new GMS().setJoinTimeout(t.join().toMillis()).printLocalAddress(false));
        stack.add(new MFC());
        stack.add(new UFC());
        FRAG2 frag = new FRAG2();
        frag.setValue("frag_size", FRAG_SIZE);
        stack.add(frag);
        return stack;
    }

    private static TP transport(ChannelSettings s) {
        TP tp = switch (s.transport()) {
            case UDP -> new UDP().setMulticastAddress(s.multicast().getAddress()).setMulticastPort(s.multicast().getPort())
                    .setBindAddress(s.bindAddress()).setBindPort(s.bindPort());
            // A port range of 2, not JGroups' 50: a member restarted right after a crash may find its port held
            // by its old connections (TIME_WAIT) and take the next one, while discovery by DNS A records (which
            // carry no port) asks three ports per address instead of fifty-one.
            case TCP -> new TCP().setBindAddress(s.bindAddress()).setBindPort(s.bindPort()).setPortRange(2);
            case LOOPBACK -> new SHARED_LOOPBACK();
        };
        if (tp.getDiagnosticsHandler() != null) {
            tp.getDiagnosticsHandler().setEnabled(false);
        }
        return tp;
    }

    /** DNS_PING: the members to ask at join are whatever the name resolves to now (docs/cluster.md). */
    private static Protocol dnsPing(ChannelSettings.Dns dns) {
        DNS_PING p = new DNS_PING();
        p.setDNSQuery(dns.query());
        p.dnsRecordType(dns.srv() ? "SRV" : "A");
        try {
            p.setDNSResolver(new DnsPeers(dns.server()));
        } catch (javax.naming.NamingException e) {
            throw new IllegalArgumentException("cluster.dns: " + e.getMessage(), e);
        }
        return p;
    }

    private static Protocol discovery(ChannelSettings s) {
        return switch (s.transport()) {
            case UDP -> new PING();
            case TCP -> s.dns().isPresent() ? dnsPing(s.dns().get())
                    : new TCPPING().setInitialHosts(s.peers()).setPortRange(0);
            case LOOPBACK -> new SHARED_LOOPBACK_PING();
        };
    }
}
