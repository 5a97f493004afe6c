package dev.meshboot.node.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.clusterconfig.ClusterConfig;
import dev.meshboot.clusterconfig.Ipv4;
import dev.meshboot.images.testing.Processes;
import dev.meshboot.images.testing.Tiers;
import dev.meshboot.node.boot.ConfigBootPolicy;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DHCP server against busybox udhcpc, a real client, in its own network namespace joined to this one by a
 * veth pair: real broadcast, real ports 67/68, a socket bound to the veth with SO_BINDTODEVICE.
 */
@Timeout(120)
class DhcpServerIT {
    @TempDir
    Path dir;

    private final String ns = "mbt" + ProcessHandle.current().pid() % 100000;
    private final String hostIf = ns + "h";
    private final String clientIf = ns + "c";
    private DhcpServer server;

    private Processes.Result sh(String script) throws Exception {
        return Processes.bash(dir, script);
    }

    private void must(String script) throws Exception {
        Processes.must(dir, script);
    }

    @BeforeEach
    void network() throws Exception {
        Tiers.requireRoot();
        Tiers.requireTool("ip");
        Tiers.requireTool("busybox");
        Tiers.requireTool("socat");
        sh("ip netns del " + ns + " 2>/dev/null; ip link del " + hostIf + " 2>/dev/null; true");
        must("ip netns add " + ns + " && ip link add " + hostIf + " type veth peer name " + clientIf
                + " && ip link set " + clientIf + " netns " + ns + " && ip addr add 10.99.0.1/24 dev " + hostIf
                + " && ip link set " + hostIf + " up && ip -n " + ns + " link set " + clientIf + " up && ip -n " + ns
                + " link set lo up");
    }

    @AfterEach
    void teardown() throws Exception {
        if (server != null) {
            server.close();
        }
        sh("ip netns del " + ns + " 2>/dev/null; ip link del " + hostIf + " 2>/dev/null; true");
    }

    private void startServer(boolean proxy) throws Exception {
        ClusterConfig config = TestCluster.load(dir);
        DhcpResponder responder = new DhcpResponder(new ConfigBootPolicy(() -> config, "http://10.99.0.1:8080", proxy),
                proxy);
        server = new DhcpServer(responder, proxy ? DhcpServer.Ports.STANDARD : new DhcpServer.Ports(67, 68, -1));
        server.start(List.of(new DhcpServer.Interface(hostIf, "prov", Ipv4.parse("10.99.0.1"),
                InetAddress.getByName("0.0.0.0"))));
    }

    /** Runs udhcpc in the namespace; its script writes the variables it was given. */
    private Map<String, String> udhcpc(String mac, String... extra) throws Exception {
        return udhcpcIn(ns, clientIf, mac, extra);
    }

    private Map<String, String> udhcpcIn(String namespace, String itf, String mac, String... extra) throws Exception {
        Path script = dir.resolve("udhcpc.sh");
        Path env = dir.resolve("lease.env");
        Files.deleteIfExists(env);
        Files.writeString(script, "#!/bin/sh\n[ \"$1\" = bound ] && env > " + env + "\nexit 0\n");
        script.toFile().setExecutable(true);
        must("ip -n " + namespace + " link set " + itf + " address " + mac);
        Processes.Result r = sh("ip netns exec " + namespace + " busybox udhcpc -i " + itf + " -f -q -n -t 4 -T 2 -s "
                + script + " " + String.join(" ", extra));
        assertEquals(0, r.exitCode(), "udhcpc got no lease:\n" + r.stdout() + r.stderr());
        Map<String, String> vars = new HashMap<>();
        for (String line : Files.readAllLines(env)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                vars.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return vars;
    }

    @Test
    void udhcpc_getsItsReservedAddressAndBootOptions() throws Exception {
        startServer(false);
        Map<String, String> lease = udhcpc("52:54:00:12:34:01", "-V", "PXEClient:Arch:00000:UNDI:002001",
                "-x", "93:0000");
        assertEquals("10.99.0.11", lease.get("ip"));
        assertEquals("255.255.255.0", lease.get("subnet"));
        assertEquals("10.99.0.1", lease.get("router"));
        assertEquals("10.99.0.1 10.99.0.2", lease.get("dns"));
        assertEquals("node-01", lease.get("hostname"));
        assertEquals("lab.test", lease.get("domain"));
        assertEquals("600", lease.get("lease"));
        assertEquals("10.99.0.1", lease.get("serverid"));
        assertEquals("10.99.0.1", lease.get("siaddr"));
        assertEquals("undionly.kpxe", lease.get("boot_file"));
    }

    @Test
    void unknownMachine_getsNoLease() throws Exception {
        startServer(false);
        must("ip -n " + ns + " link set " + clientIf + " address 52:54:00:99:99:99");
        Processes.Result r = sh("ip netns exec " + ns + " busybox udhcpc -i " + clientIf + " -f -q -n -t 2 -T 1 -s /bin/true");
        assertTrue(r.exitCode() != 0, "an unknown machine must not be given an address");
    }

    @Test
    void garbage_isDropped_andTheNextClientIsServed() throws Exception {
        startServer(false);
        // Broadcast junk at the server's port from the client's namespace first (socat, a real UDP sender).
        for (String junk : List.of("x", "not a dhcp packet at all", "0".repeat(300))) {
            must("ip netns exec " + ns + " sh -c 'printf %s " + junk
                    + " | socat -u - UDP-DATAGRAM:255.255.255.255:67,broadcast,so-bindtodevice=" + clientIf + "'");
        }
        assertEquals("10.99.0.12", udhcpc("52:54:00:12:34:02").get("ip"));
    }

    @Test
    void proxyDhcp_answersPxeClientsWithTheBootPartOnly() throws Exception {
        startServer(true);
        // udhcpc needs an address to bind; in proxy mode no address comes, so send a PXE DISCOVER by hand and
        // read the proxy's OFFER from the client namespace with busybox nc.
        DhcpOptions o = DhcpResponderTest.bios();
        DhcpMessage discover = DhcpResponderTest.request("52:54:00:12:34:01", DhcpMessageType.DISCOVER, o, 0, 0);
        byte[] bytes = DhcpCodec.encode(discover);
        Path packet = dir.resolve("discover.bin");
        Files.write(packet, bytes);
        Path reply = dir.resolve("offer.bin");
        must("ip -n " + ns + " addr add 10.99.0.50/24 dev " + clientIf);
        // Listen on 68 for the broadcast OFFER while sending the DISCOVER, both with socat in the namespace.
        sh("ip netns exec " + ns + " sh -c 'timeout 5 socat -u UDP-RECV:68,reuseaddr CREATE:" + reply + " & "
                + "for i in $(seq 50); do ss -lun | grep -q \":68 \" && break; sleep 0.1; done; " // listener up
                + "socat -u OPEN:" + packet + " UDP-DATAGRAM:255.255.255.255:67,broadcast,so-bindtodevice="
                + clientIf + "; wait'");
        byte[] got = Files.readAllBytes(reply);
        assertTrue(got.length > 240, "no OFFER came back (" + got.length + " bytes)");
        DhcpMessage offer = DhcpCodec.decode(got, 0, got.length);
        assertEquals(DhcpMessageType.OFFER, offer.options().messageType().orElseThrow());
        assertEquals(0, offer.yiaddr());
        assertEquals("undionly.kpxe", offer.file());
    }

    @Test
    void loopbackServer_answersInformAfterGarbage() throws Exception {
        ClusterConfig config = TestCluster.load(dir);
        DhcpResponder responder = new DhcpResponder(new ConfigBootPolicy(() -> config, "http://x", false), false);
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            client.setSoTimeout(5000);
            server = new DhcpServer(responder, new DhcpServer.Ports(10067 + (int) (ProcessHandle.current().pid() % 500),
                    client.getLocalPort(), -1));
            int port = 10067 + (int) (ProcessHandle.current().pid() % 500);
            server.start(List.of(new DhcpServer.Interface(null, "prov", Ipv4.parse("10.99.0.1"),
                    InetAddress.getLoopbackAddress())));
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            for (byte[] junk : List.of(new byte[3], new byte[300], "garbage".getBytes())) {
                client.send(new DatagramPacket(junk, junk.length, to));
            }
            byte[] inform = DhcpCodec.encode(DhcpResponderTest.request("52:54:00:12:34:02", DhcpMessageType.INFORM,
                    new DhcpOptions(), Ipv4.parse("127.0.0.1").bits(), 0));
            client.send(new DatagramPacket(inform, inform.length, to));
            DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
            client.receive(p);
            DhcpMessage ack = DhcpCodec.decode(p.getData(), 0, p.getLength());
            assertEquals(DhcpMessageType.ACK, ack.options().messageType().orElseThrow());
        }
    }

    /**
     * A multi-homed server: a second interface on a second network. Each client is answered on its own interface,
     * with that network's settings and that interface's address as server identifier, and a machine reserved on one
     * network gets nothing when it asks on the other.
     */
    @Test
    void multiHomed_answersEachInterfaceWithItsOwnNetwork() throws Exception {
        String ns2 = ns + "s";
        String host2 = ns + "i";
        String client2 = ns + "d";
        sh("ip netns del " + ns2 + " 2>/dev/null; ip link del " + host2 + " 2>/dev/null; true");
        try {
            must("ip netns add " + ns2 + " && ip link add " + host2 + " type veth peer name " + client2
                    + " && ip link set " + client2 + " netns " + ns2 + " && ip addr add 10.98.0.1/24 dev " + host2
                    + " && ip link set " + host2 + " up && ip -n " + ns2 + " link set " + client2 + " up");
            Path f = dir.resolve("two-networks.yaml");
            Files.writeString(f, TestCluster.YAML.replace("""
                          leaseSeconds: 600
                    """, """
                          leaseSeconds: 600
                        - name: storage
                          subnet: 10.98.0.0/24
                          gateway: 10.98.0.1
                          leaseSeconds: 900
                    """).replace("spec: {mac:", "spec: {network: prov, mac:") + """
                    ---
                    kind: Node
                    name: store-03
                    spec: {mac: "52:54:00:12:34:03", network: storage, address: 10.98.0.13, profile: compute}
                    """);
            ClusterConfig config = new dev.meshboot.clusterconfig.ConfigLoader().load(List.of(f));
            server = new DhcpServer(new DhcpResponder(new ConfigBootPolicy(() -> config, "http://x", false), false),
                    new DhcpServer.Ports(67, 68, -1));
            server.start(List.of(
                    new DhcpServer.Interface(hostIf, "prov", Ipv4.parse("10.99.0.1"), InetAddress.getByName("0.0.0.0")),
                    new DhcpServer.Interface(host2, "storage", Ipv4.parse("10.98.0.1"), InetAddress.getByName("0.0.0.0"))));

            Map<String, String> prov = udhcpc("52:54:00:12:34:01");
            assertEquals("10.99.0.11", prov.get("ip"));
            assertEquals("10.99.0.1", prov.get("serverid"));

            Map<String, String> storage = udhcpcIn(ns2, client2, "52:54:00:12:34:03");
            assertEquals("10.98.0.13", storage.get("ip"));
            assertEquals("10.98.0.1", storage.get("serverid"), "answered by the interface it asked on");
            assertEquals("900", storage.get("lease"));

            must("ip -n " + ns2 + " link set " + client2 + " address 52:54:00:12:34:01");
            Processes.Result wrong = sh("ip netns exec " + ns2 + " busybox udhcpc -i " + client2
                    + " -f -q -n -t 2 -T 1 -s /bin/true");
            assertTrue(wrong.exitCode() != 0, "a machine reserved on prov must get nothing on storage");
        } finally {
            sh("ip netns del " + ns2 + " 2>/dev/null; ip link del " + host2 + " 2>/dev/null; true");
        }
    }

    /** An unknown machine gets an address from the pool, keeps it across a server restart, and no address is given twice. */
    @Test
    void dynamicPool_leasesPersistAcrossARestart() throws Exception {
        Path f = dir.resolve("pool.yaml");
        Files.writeString(f, TestCluster.YAML.replace("""
                          leaseSeconds: 600
                    """, """
                          leaseSeconds: 600
                          pool: {start: 10.99.0.100, end: 10.99.0.120}
                    """));
        ClusterConfig config = new dev.meshboot.clusterconfig.ConfigLoader().load(List.of(f));
        Path leases = dir.resolve("leases.json");
        java.util.function.Supplier<DhcpServer> start = () -> {
            try {
                DhcpServer s = new DhcpServer(new DhcpResponder(new ConfigBootPolicy(() -> config, "http://x", false,
                        java.util.Optional.of(new dev.meshboot.node.boot.LeaseBook(leases, java.time.Clock.systemUTC()))),
                        false), new DhcpServer.Ports(67, 68, -1));
                s.start(List.of(new DhcpServer.Interface(hostIf, "prov", Ipv4.parse("10.99.0.1"),
                        InetAddress.getByName("0.0.0.0"))));
                return s;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        server = start.get();
        assertEquals("10.99.0.100", udhcpc("02:00:00:00:00:aa").get("ip"));
        assertEquals("10.99.0.101", udhcpc("02:00:00:00:00:bb").get("ip"));
        server.close();

        server = start.get();
        assertEquals("10.99.0.100", udhcpc("02:00:00:00:00:aa").get("ip"), "the lease survived the restart");
        assertEquals("10.99.0.102", udhcpc("02:00:00:00:00:cc").get("ip"), "no address was given twice");
        assertTrue(Files.readString(leases).contains("02:00:00:00:00:bb"));
    }
}
