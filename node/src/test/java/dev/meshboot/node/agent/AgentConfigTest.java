package dev.meshboot.node.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.clusterconfig.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
    @TempDir
    Path dir;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(dir.resolve("cluster.yaml"), "kind: Cluster\nname: c\n");
        Files.createDirectories(dir.resolve("tftp"));
        Files.createDirectories(dir.resolve("boot"));
    }

    private Path write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("agent.yaml"), yaml);
    }

    @Test
    void validSettings_areRead_withDefaultsAndRelativePaths() throws Exception {
        AgentConfig c = AgentConfig.read(write("""
                documents: [cluster.yaml]
                mode: proxy
                interfaces: [{device: eth0, network: prov, address: 10.0.0.1}]
                tftpRoot: tftp
                bootDir: boot
                """));
        assertTrue(c.proxy());
        assertEquals(new AgentConfig.Ports(67, 68, 4011, 69, 8080), c.ports());
        assertEquals(dir.resolve("tftp"), c.tftpRoot());
        assertEquals("10.0.0.1", c.interfaces().getFirst().address().toString());
    }

    @Test
    void scrubSection_isRead_andDefaultsToADailyPass() throws Exception {
        String base = """
                documents: [cluster.yaml]
                interfaces: [{device: eth0, network: prov, address: 10.0.0.1}]
                tftpRoot: tftp
                bootDir: boot
                """;
        assertEquals(AgentConfig.Scrub.DEFAULTS, AgentConfig.read(write(base)).scrub());
        AgentConfig c = AgentConfig.read(write(base + """
                scrub: {firstAfterMinutes: 2, intervalMinutes: 60, bytesPerSecond: 5000000, gcMinAgeMinutes: 30}
                """));
        assertEquals(new AgentConfig.Scrub(java.time.Duration.ofMinutes(2), java.time.Duration.ofHours(1), 5_000_000,
                java.time.Duration.ofMinutes(30)), c.scrub());
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.read(write(base + """
                scrub: {intervalMinutes: 0, bytesPerSecond: 10, often: yes}
                """)));
        String m = e.getMessage();
        assertTrue(m.contains("scrub.intervalMinutes = '0': an integer from 1"), m);
        assertTrue(m.contains("scrub.bytesPerSecond = '10': an integer from 65536"), m);
        assertTrue(m.contains("scrub.often: unknown field"), m);
    }

    @Test
    void mistakes_areRefusedWithFileFieldValueAndReason() throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.read(write("""
                documents: [missing.yaml]
                mode: half
                interfaces: [{device: eth0, network: prov, address: 10.0.0.300}]
                ports: {http: 70000}
                tftpRoot: tftp
                bootDir: boot
                colour: blue
                """)));
        String m = e.getMessage();
        assertTrue(m.contains("agent.yaml: documents = 'missing.yaml': no such file"), m);
        assertTrue(m.contains("mode = 'half': must be full"), m);
        assertTrue(m.contains("interfaces[0].address = '10.0.0.300'"), m);
        assertTrue(m.contains("ports.http = '70000': a port number"), m);
        assertTrue(m.contains("colour: unknown field"), m);
        assertEquals(5, e.errors().size(), m);
    }
    @Test
    void clusterSection_isRead_withDefaultsForWhatIsLeftOut() throws Exception {
        AgentConfig c = AgentConfig.read(write("""
                interfaces: [{device: eth0, network: prov, address: 10.0.0.1}]
                tftpRoot: tftp
                bootDir: boot
                configStore: config
                cluster:
                  name: lab
                  member: node-01
                  secret: cluster.secret
                  transport: tcp
                  peers: [10.0.0.1:7800, 10.0.0.2:7800]
                  timeouts: {suspect: 10000, heartbeat: 2000}
                """));
        AgentConfig.Membership m = c.cluster().orElseThrow();
        assertEquals("lab", m.channel().cluster());
        assertEquals("node-01", m.channel().member());
        assertEquals(dev.meshboot.node.cluster.ChannelSettings.Transport.TCP, m.channel().transport());
        assertEquals("/10.0.0.1", m.channel().bindAddress().toString());
        assertEquals(7800, m.channel().bindPort());
        assertEquals(2, m.channel().peers().size());
        assertEquals(10000, m.channel().timing().suspectAfter().toMillis());
        assertEquals(500, m.channel().timing().verify().toMillis());
        assertEquals(dir.resolve("cluster.secret"), m.secret());
        assertEquals(dir.resolve("config"), c.configStore());
        assertEquals(java.util.Optional.of(AgentConfig.DEFAULT_ADMIN_SOCKET), c.adminSocket());
        assertTrue(c.documents().isEmpty(), "a member needs no document files: the store has them");
    }

    @Test
    void clusterMistakes_areRefusedWithFieldValueAndReason() throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.read(write("""
                interfaces: [{device: eth0, network: prov, address: 10.0.0.1}]
                tftpRoot: tftp
                bootDir: boot
                cluster:
                  name: ""
                  transport: carrier-pigeon
                  multicast: {address: 10.1.1.1}
                  peers: [10.0.0.2]
                  timeouts: {suspect: 1000, heartbeat: 2000, jitter: 5}
                """)));
        String m = e.getMessage();
        assertTrue(m.contains("cluster.name: required"), m);
        assertTrue(m.contains("cluster.transport = 'carrier-pigeon': udp (IP multicast) or tcp"), m);
        assertTrue(m.contains("cluster.multicast.address = '10.1.1.1': an IPv4 multicast group"), m);
        assertTrue(m.contains("cluster.peers[0] = '10.0.0.2': an IPv4 address and port"), m);
        assertTrue(m.contains("cluster.timeouts.jitter: unknown field"), m);
        assertTrue(m.contains("must be shorter than the suspicion timeout"), m);
    }

    @Test
    void dnsDiscoveryMistakes_areRefusedWithFieldValueAndReason() throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.read(write("""
                interfaces: [{device: eth0, network: prov, address: 10.0.0.1}]
                tftpRoot: tftp
                bootDir: boot
                cluster:
                  name: c
                  transport: udp
                  crashDetection: sometimes
                  dns: {query: "bad name!", type: mx, server: "dns.example.net"}
                """)));
        String m = e.getMessage();
        assertTrue(m.contains("cluster.dns.query = 'bad name!': a DNS name"), m);
        assertTrue(m.contains("cluster.dns.type = 'mx': srv"), m);
        assertTrue(m.contains("cluster.dns.server = 'dns.example.net': an IPv4 address"), m);
        assertTrue(m.contains("cluster.dns = 'bad name!': DNS discovery is for transport: tcp"), m);
        assertTrue(m.contains("cluster.crashDetection = 'sometimes': true or false"), m);
    }

    @Test
    void tcpWithDnsAndNoPeers_isAccepted() throws Exception {
        AgentConfig c = AgentConfig.read(write("""
                interfaces: [{device: eth0, network: prov, address: 10.0.0.1}]
                tftpRoot: tftp
                bootDir: boot
                cluster:
                  name: c
                  transport: tcp
                  dns: {query: _meshboot._tcp.prov.example.net}
                """));
        var s = c.cluster().orElseThrow().channel();
        assertTrue(s.dns().orElseThrow().srv());
        assertTrue(s.dns().orElseThrow().server().isEmpty());
        assertTrue(s.crashDetection());
    }
}
