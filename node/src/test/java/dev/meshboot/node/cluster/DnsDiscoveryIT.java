package dev.meshboot.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshboot.images.testing.Tiers;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Members over TCP with no peer list find each other through DNS: a real dnsmasq on loopback serves one SRV record
 * per member (its host and cluster port), and each member's DNS_PING asks it at join; a write on one reaches all.
 */
@Timeout(120)
class DnsDiscoveryIT {
    @TempDir
    Path dir;

    @Test
    void srvRecords_areThePeerList() throws Exception {
        Tiers.requireTool("dnsmasq");
        int dnsPort;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            dnsPort = s.getLocalPort();
        }
        List<Integer> ports = dev.meshboot.node.agent.ClusterAgents.freePorts(3, false);
        List<String> command = new ArrayList<>(List.of("dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts",
                "--listen-address=127.0.0.1", "--bind-interfaces", "--port=" + dnsPort, "--pid-file=" + dir.resolve("pid"),
                "--host-record=members.mesh.test,127.0.0.1"));
        for (int p : ports) {
            command.add("--srv-host=_meshboot._tcp.mesh.test,members.mesh.test," + p);
        }
        Process dnsmasq = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("dnsmasq.log").toFile()).start();
        List<TestMember> members = new ArrayList<>();
        try {
            Thread.sleep(300); // dnsmasq binds at once; a member that asked too early would still merge later
            for (int i = 0; i < 3; i++) {
                ChannelSettings s = new ChannelSettings("dns-test", "d" + i, ChannelSettings.Transport.TCP,
                        InetAddress.getLoopbackAddress(), ports.get(i), new InetSocketAddress(0), List.of(),
                        ChannelSettings.Timing.DEFAULTS, true, Optional.of(new ChannelSettings.Dns(
                                "_meshboot._tcp.mesh.test", true, Optional.of("127.0.0.1:" + dnsPort))));
                members.add(TestMember.start(dir.resolve("d" + i), s, TestMember.SECRET));
            }
            Await.until(java.time.Duration.ofSeconds(60), () -> members.stream().allMatch(m -> m.viewSize() == 3),
                    () -> "views: " + members.stream().map(TestMember::view).toList());
            members.get(2).write("Profile", "p", "{\"kind\":\"Profile\",\"name\":\"p\",\"spec\":{\"os\":\"debian\"}}");
            Await.until(java.time.Duration.ofSeconds(30), () -> members.stream()
                    .allMatch(m -> m.store.documents().size() == 1), () -> "the write is not on every member");
            assertEquals(3, members.get(0).viewSize());
        } finally {
            members.reversed().forEach(TestMember::close);
            dnsmasq.destroy();
            dnsmasq.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
