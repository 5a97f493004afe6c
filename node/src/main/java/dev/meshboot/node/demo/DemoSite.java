package dev.meshboot.node.demo;

import dev.meshboot.clusterconfig.Ipv4;
import dev.meshboot.clusterconfig.Mac;
import dev.meshboot.node.agent.AgentConfig;
import dev.meshboot.node.cluster.ChannelSettings;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The demo's site plan on loopback: which address and ports each agent, the relay and each machine use, the cluster
 * documents that describe them, and each agent's settings. Linux routes all of 127.0.0.0/8 to {@code lo}, so every
 * party gets an address of its own with no setup and no privilege.
 *
 * <p>The agents bind their DHCP, TFTP and HTTP servers to the wildcard address (as in production, where DHCP must
 * hear broadcasts), so in one process each needs its own unprivileged ports; they are chosen free at start. Real
 * firmware always asks TFTP port 69: a simulated machine looks the TFTP port of its next-server up here instead,
 * the one liberty the demo takes with the protocols.
 */
public final class DemoSite {
    /** The cluster network: all of loopback. */
    public static final String NETWORK = "loopback";
    /** The channel the machines follow. */
    public static final String CHANNEL = "stable";

    /** One agent: its member name, address, ports and home directory. */
    public record AgentSite(String name, Ipv4 address, int dhcp, int dhcpClient, int tftp, int http, int cluster,
            Path home) {
        public String httpBase() {
            return "http://" + address + ":" + http;
        }

        public String hostPort() {
            return address + ":" + http;
        }

        public Path adminSocket() {
            return home.resolve("admin.sock");
        }

        public Path store() {
            return home.resolve("store");
        }
    }

    /** One simulated machine: its node name, MAC and reserved address. */
    public record MachineSite(String name, Mac mac, Ipv4 address) {}

    private final Path dir;
    private final String clusterName;
    private final List<AgentSite> agents;
    private final List<MachineSite> machines;
    private final Ipv4 relay;
    private final int relayPort;

    private DemoSite(Path dir, String clusterName, List<AgentSite> agents, List<MachineSite> machines, Ipv4 relay,
            int relayPort) {
        this.dir = dir;
        this.clusterName = clusterName;
        this.agents = List.copyOf(agents);
        this.machines = List.copyOf(machines);
        this.relay = relay;
        this.relayPort = relayPort;
    }

    /**
     * Plans a site in {@code dir}: agents {@code agent-1..} at 127.0.0.11 and up, the relay at 127.0.0.2, machines
     * {@code machine-01..} with MACs 02:00:00:00:00:NN (locally administered) and addresses 127.77.0.NN.
     */
    public static DemoSite plan(Path dir, int agentCount, int machineCount) throws IOException {
        if (agentCount < 1 || agentCount > 9 || machineCount < 1 || machineCount > 99) {
            throw new IllegalArgumentException("1-9 agents and 1-99 machines");
        }
        List<AgentSite> agents = new ArrayList<>();
        for (int i = 1; i <= agentCount; i++) {
            Ipv4 address = Ipv4.parse("127.0.0." + (10 + i));
            agents.add(new AgentSite("agent-" + i, address, freeUdp(), freeUdp(), freeUdp(), freeTcp(), freeTcp(),
                    dir.resolve("agent-" + i)));
        }
        List<MachineSite> machines = new ArrayList<>();
        for (int i = 1; i <= machineCount; i++) {
            machines.add(new MachineSite(String.format("machine-%02d", i),
                    Mac.parse(String.format("02:00:00:00:00:%02x", i)), Ipv4.parse("127.77.0." + i)));
        }
        byte[] tag = new byte[4];
        new SecureRandom().nextBytes(tag);
        return new DemoSite(dir, "meshboot-demo-" + HexFormat.of().formatHex(tag), agents, machines,
                Ipv4.parse("127.0.0.2"), freeUdp());
    }

    public List<AgentSite> agents() {
        return agents;
    }

    public List<MachineSite> machines() {
        return machines;
    }

    public Ipv4 relay() {
        return relay;
    }

    public int relayPort() {
        return relayPort;
    }

    /** The agent at an address (a DHCP reply's server identifier or next-server). */
    public Optional<AgentSite> agentAt(Ipv4 address) {
        return agents.stream().filter(a -> a.address().equals(address)).findFirst();
    }

    /** The agent at {@code host:port}, as {@code meshboot.servers} and URLs name it. */
    public Optional<AgentSite> agentAt(String hostPort) {
        return agents.stream().filter(a -> a.hostPort().equals(hostPort)).findFirst();
    }

    /**
     * The cluster's documents: one network covering loopback (no pool: every machine is enrolled), K = 2 active
     * boot servers, a ram-mode profile, and a node per machine following channel {@value #CHANNEL}. The channel
     * itself is not here: publishing the snapshot creates it, as {@code meshboot image publish --channel} does.
     */
    public String documents() {
        StringBuilder y = new StringBuilder();
        y.append("""
                kind: Cluster
                name: demo
                spec:
                  bootServers: 2
                  networks:
                    - {name: %s, subnet: 127.0.0.0/8, domain: demo.invalid, leaseSeconds: 3600}
                ---
                kind: Profile
                name: demo
                spec: {os: debian, install: ram, extras: false}
                """.formatted(NETWORK));
        for (MachineSite m : machines) {
            y.append("---\nkind: Node\nname: ").append(m.name()).append("\nspec: {mac: \"").append(m.mac())
                    .append("\", address: ").append(m.address()).append(", profile: demo, channel: ").append(CHANNEL)
                    .append("}\n");
        }
        return y.toString();
    }

    /** Writes the documents and a fresh cluster secret (mode 0600) into the site's directory. */
    public void writeShared() throws IOException {
        Files.createDirectories(dir);
        Files.writeString(documentsFile(), documents());
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        Path s = secretFile();
        Files.deleteIfExists(s);
        Files.createFile(s, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(s, HexFormat.of().formatHex(secret) + "\n");
    }

    public Path documentsFile() {
        return dir.resolve("cluster.yaml");
    }

    private Path secretFile() {
        return dir.resolve("cluster.secret");
    }

    /**
     * An agent's settings, as {@code agent.yaml} would give them, with directories created. The first agent seeds
     * the documents; the others receive them from the cluster. No {@code bootServers}: the servers {@code /init}
     * fetches from are the mesh's own list, every member in view holding the snapshot, rotated per machine
     * (node/mesh/ArchiveServers), so the machines spread over the agents and each can fail over.
     * Failure detection is tuned short (suspect after 1.5 s, verify 0.5 s) so the take-over shows within seconds.
     */
    public AgentConfig settings(AgentSite a) throws IOException {
        Path home = Files.createDirectories(a.home());
        Files.createDirectories(home.resolve("tftp"));
        Files.createDirectories(home.resolve("boot"));
        List<InetSocketAddress> peers = new ArrayList<>();
        for (AgentSite o : agents) {
            peers.add(new InetSocketAddress(InetAddress.getByAddress(o.address().toBytes()), o.cluster()));
        }
        ChannelSettings.Timing timing = new ChannelSettings.Timing(Duration.ofMillis(1500), Duration.ofMillis(500),
                Duration.ofMillis(500), Duration.ofMillis(1000), Duration.ofMillis(3000), Duration.ofMillis(1000));
        ChannelSettings channel = new ChannelSettings(clusterName, a.name(), ChannelSettings.Transport.TCP,
                InetAddress.getByAddress(a.address().toBytes()), a.cluster(),
                new InetSocketAddress(InetAddress.getByName("228.8.8.8"), 45588), peers, timing);
        // Device null: no SO_BINDTODEVICE, which loopback does not need and which older kernels keep for root.
        AgentConfig.Interface itf = new AgentConfig.Interface(null, NETWORK, a.address());
        return new AgentConfig(home.resolve("agent.yaml"), a == agents.getFirst() ? List.of(documentsFile()) : List.of(),
                false, List.of(itf), new AgentConfig.Ports(a.dhcp(), a.dhcpClient(), 0, a.tftp(), a.http()),
                home.resolve("tftp"), home.resolve("boot"), a.store(), home.resolve("leases.json"),
                List.of(), home.resolve("installs.json"),
                Optional.of(new AgentConfig.Membership(channel, secretFile(), Duration.ofSeconds(5))),
                home.resolve("config"), Optional.of(a.adminSocket()), AgentConfig.Scrub.DEFAULTS);
    }

    private static int freeUdp() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static int freeTcp() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
