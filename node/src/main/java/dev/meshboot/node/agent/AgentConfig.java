package dev.meshboot.node.agent;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshboot.clusterconfig.ConfigError;
import dev.meshboot.clusterconfig.ConfigException;
import dev.meshboot.clusterconfig.Ipv4;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import dev.meshboot.node.cluster.ChannelSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * The agent's own settings (not replicated: they describe this machine): which cluster documents to read, which
 * interfaces to serve on, the ports (so tests can run unprivileged), the DHCP mode, and where files live.
 * docs/configuration.md has a complete example.
 */
public record AgentConfig(Path file, List<Path> documents, boolean proxy, List<Interface> interfaces, Ports ports,
        Path tftpRoot, Path bootDir, Path store, Path leases, List<String> bootServers, Path installs,
        Optional<Membership> cluster, Path configStore, Optional<Path> adminSocket, Scrub scrub) {

    /** The default admin socket of an agent that is a cluster member. */
    public static final Path DEFAULT_ADMIN_SOCKET = Path.of("/run/meshboot/admin.sock");

    /**
     * The {@code cluster:} section: how this agent joins its cluster (absent: a standalone agent that serves its
     * documents from memory, as the single-machine tests and demos do).
     *
     * @param channel the channel's settings
     * @param secret the cluster secret file (mode 0600)
     * @param antiEntropy how often a member compares its store with its successor's besides on view changes
     */
    public record Membership(ChannelSettings channel, Path secret, Duration antiEntropy) {}

    /**
     * The {@code scrub:} section: how a cluster member checks its store and collects unreferenced chunks
     * (node/mesh/StoreMaintenance).
     *
     * @param first when the first pass runs after start (not a whole interval: agents restart)
     * @param every the time between passes
     * @param bytesPerSecond how fast a pass reads chunks, so it never competes with boots for the disk
     * @param gcMinAge how old an unreferenced chunk must be before it is deleted
     */
    public record Scrub(Duration first, Duration every, long bytesPerSecond, Duration gcMinAge) {
        /** A pass a day at 20 MB/s (a 450 MB store in under half a minute), the first an hour after start. */
        public static final Scrub DEFAULTS = new Scrub(Duration.ofHours(1), Duration.ofDays(1), 20_000_000,
                Duration.ofHours(1));
    }

    /** An interface to serve: its kernel name, its cluster network, and this host's address on it. */
    public record Interface(String device, String network, Ipv4 address) {}

    /** Listening ports; 0 for tftp or http leaves that server off. */
    public record Ports(int dhcp, int dhcpClient, int pxe, int tftp, int http) {}

    private static final Set<String> KEYS = Set.of("documents", "mode", "interfaces", "ports", "tftpRoot", "bootDir", "store",
            "leases", "bootServers", "installs", "cluster", "configStore", "admin", "scrub");
    private static final Set<String> SCRUB_KEYS = Set.of("firstAfterMinutes", "intervalMinutes", "bytesPerSecond",
            "gcMinAgeMinutes");
    private static final Set<String> CLUSTER_KEYS = Set.of("name", "member", "secret", "transport", "bind", "port",
            "multicast", "peers", "timeouts", "antiEntropySeconds", "crashDetection", "dns");
    private static final Set<String> TIMEOUT_KEYS = Set.of("suspect", "heartbeat", "verify", "mergeMin", "mergeMax",
            "join");

    public static AgentConfig read(Path file) throws IOException, ConfigException {
        String f = file.toString();
        List<ConfigError> errors = new ArrayList<>();
        JsonNode root;
        try {
            root = YAMLMapper.builder().build().readTree(Files.readAllBytes(file));
        } catch (JacksonException e) {
            throw new ConfigException(List.of(new ConfigError(f, "(file)", "", "not valid YAML: "
                    + String.valueOf(e.getOriginalMessage()).replaceAll("\\s+", " "))));
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(List.of(new ConfigError(f, "(file)", "", "expected a mapping with " + KEYS)));
        }
        root.fieldNames().forEachRemaining(k -> {
            if (!KEYS.contains(k)) {
                errors.add(new ConfigError(f, k, "", "unknown field (known: " + KEYS.stream().sorted().toList() + ")"));
            }
        });
        Path dir = file.toAbsolutePath().getParent();
        List<Path> documents = new ArrayList<>();
        for (JsonNode d : root.path("documents")) {
            Path p = dir.resolve(d.asText());
            if (!Files.isRegularFile(p)) {
                errors.add(new ConfigError(f, "documents", d.asText(), "no such file"));
            }
            documents.add(p);
        }
        JsonNode clusterNode = root.path("cluster");
        if (documents.isEmpty() && clusterNode.isMissingNode()) {
            errors.add(new ConfigError(f, "documents", "", "name at least one file of cluster documents (required"
                    + " without a cluster section)"));
        }
        String mode = root.path("mode").asText("full");
        if (!mode.equals("full") && !mode.equals("proxy")) {
            errors.add(new ConfigError(f, "mode", mode, "must be full (DHCP with addresses) or proxy (proxyDHCP)"));
        }
        List<Interface> interfaces = new ArrayList<>();
        JsonNode itfs = root.path("interfaces");
        for (int i = 0; i < itfs.size(); i++) {
            JsonNode n = itfs.get(i);
            String device = n.path("device").asText("");
            String network = n.path("network").asText("");
            String address = n.path("address").asText("");
            String where = "interfaces[" + i + "]";
            if (!device.matches("[A-Za-z0-9._-]{1,15}")) {
                errors.add(new ConfigError(f, where + ".device", device, "an interface name, 1-15 characters"));
            }
            if (network.isEmpty()) {
                errors.add(new ConfigError(f, where + ".network", "", "required: the cluster network on this interface"));
            }
            try {
                interfaces.add(new Interface(device, network, Ipv4.parse(address)));
            } catch (IllegalArgumentException e) {
                errors.add(new ConfigError(f, where + ".address", address, e.getMessage()));
            }
        }
        if (itfs.isEmpty()) {
            errors.add(new ConfigError(f, "interfaces", "", "name at least one interface to serve on"));
        }
        JsonNode p = root.path("ports");
        Ports ports = new Ports(port(p, "dhcp", 67, f, errors), port(p, "dhcpClient", 68, f, errors),
                port(p, "pxe", mode.equals("proxy") ? 4011 : 0, f, errors), port(p, "tftp", 69, f, errors),
                port(p, "http", 8080, f, errors));
        Path tftpRoot = dir.resolve(root.path("tftpRoot").asText("/var/lib/meshboot/tftp"));
        Path bootDir = dir.resolve(root.path("bootDir").asText("/var/lib/meshboot/boot"));
        Path store = dir.resolve(root.path("store").asText("/var/lib/meshboot/store"));
        Path leases = dir.resolve(root.path("leases").asText("/var/lib/meshboot/leases.json"));
        Path installs = dir.resolve(root.path("installs").asText("/var/lib/meshboot/installs.json"));
        // The servers /init fetches from, in order (host:port). Empty: this agent's own address on the node's network.
        // The mesh replaces this list with the members that hold the snapshot.
        List<String> bootServers = new ArrayList<>();
        JsonNode bs = root.path("bootServers");
        for (int i = 0; i < bs.size(); i++) {
            String v = bs.get(i).asText("");
            if (!v.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}:[0-9]{1,5}")) {
                errors.add(new ConfigError(f, "bootServers[" + i + "]", v, "an IPv4 address and port, like 10.0.0.2:8080"));
            }
            bootServers.add(v);
        }
        for (var e : List.of(java.util.Map.entry("tftpRoot", tftpRoot), java.util.Map.entry("bootDir", bootDir))) {
            if (!Files.isDirectory(e.getValue())) {
                errors.add(new ConfigError(f, e.getKey(), e.getValue().toString(), "no such directory"));
            }
        }
        Path configStore = dir.resolve(root.path("configStore").asText("/var/lib/meshboot/config"));
        Optional<Membership> cluster = clusterNode.isMissingNode() ? Optional.empty()
                : membership(clusterNode, dir, interfaces, f, errors);
        JsonNode admin = root.path("admin");
        admin.fieldNames().forEachRemaining(k -> {
            if (!k.equals("socket")) {
                errors.add(new ConfigError(f, "admin." + k, "", "unknown field (known: [socket])"));
            }
        });
        Optional<Path> adminSocket = admin.has("socket") ? Optional.of(dir.resolve(admin.path("socket").asText()))
                : cluster.map(c -> DEFAULT_ADMIN_SOCKET);
        Scrub scrub = scrub(root.path("scrub"), f, errors);
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return new AgentConfig(file, documents, mode.equals("proxy"), interfaces, ports, tftpRoot, bootDir, store,
                leases, List.copyOf(bootServers), installs, cluster, configStore, adminSocket, scrub);
    }

    private static Optional<Membership> membership(JsonNode c, Path dir, List<Interface> interfaces, String f,
            List<ConfigError> errors) {
        int before = errors.size();
        c.fieldNames().forEachRemaining(k -> {
            if (!CLUSTER_KEYS.contains(k)) {
                errors.add(new ConfigError(f, "cluster." + k, "", "unknown field (known: "
                        + CLUSTER_KEYS.stream().sorted().toList() + ")"));
            }
        });
        String name = c.path("name").asText("");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            errors.add(new ConfigError(f, "cluster.name", name, "required: 1-64 letters, digits, '.', '_' or '-'"));
        }
        String member = c.path("member").asText(hostName());
        if (!member.matches("[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}")) {
            errors.add(new ConfigError(f, "cluster.member", member, "1-64 letters, digits or ._:@- (default: the host name)"));
        }
        Path secret = dir.resolve(c.path("secret").asText("/etc/meshboot/cluster.secret"));
        String transportText = c.path("transport").asText("udp");
        ChannelSettings.Transport transport = switch (transportText) {
            case "udp" -> ChannelSettings.Transport.UDP;
            case "tcp" -> ChannelSettings.Transport.TCP;
            default -> {
                errors.add(new ConfigError(f, "cluster.transport", transportText,
                        "udp (IP multicast) or tcp (static peers)"));
                yield ChannelSettings.Transport.UDP;
            }
        };
        InetAddress bind = null;
        String bindText = c.path("bind").asText(interfaces.isEmpty() ? "" : interfaces.getFirst().address().toString());
        try {
            bind = InetAddress.getByAddress(Ipv4.parse(bindText).toBytes());
        } catch (IllegalArgumentException | UnknownHostException e) {
            errors.add(new ConfigError(f, "cluster.bind", bindText, "an IPv4 address of this host (default: the first"
                    + " interface's)"));
        }
        int port = intIn(c, "port", 7800, 1, 65535, "cluster.", f, errors);
        JsonNode mc = c.path("multicast");
        String groupText = mc.path("address").asText("228.8.8.8");
        InetSocketAddress multicast = null;
        try {
            InetAddress group = InetAddress.getByAddress(Ipv4.parse(groupText).toBytes());
            if (!group.isMulticastAddress()) {
                throw new IllegalArgumentException();
            }
            multicast = new InetSocketAddress(group, intIn(mc, "port", 45588, 1, 65535, "cluster.multicast.", f, errors));
        } catch (IllegalArgumentException | UnknownHostException e) {
            errors.add(new ConfigError(f, "cluster.multicast.address", groupText, "an IPv4 multicast group (224.0.0.0/4)"));
        }
        List<InetSocketAddress> peers = new ArrayList<>();
        JsonNode ps = c.path("peers");
        for (int i = 0; i < ps.size(); i++) {
            String v = ps.get(i).asText("");
            try {
                int colon = v.lastIndexOf(':');
                int p = Integer.parseInt(v.substring(colon + 1));
                if (colon < 0 || p < 1 || p > 65535) {
                    throw new IllegalArgumentException();
                }
                peers.add(new InetSocketAddress(InetAddress.getByAddress(Ipv4.parse(v.substring(0, colon)).toBytes()), p));
            } catch (IllegalArgumentException | IndexOutOfBoundsException | UnknownHostException e) {
                errors.add(new ConfigError(f, "cluster.peers[" + i + "]", v, "an IPv4 address and port, like 10.0.0.2:7800"));
            }
        }
        Optional<ChannelSettings.Dns> dns = Optional.empty();
        JsonNode dnsNode = c.path("dns");
        if (!dnsNode.isMissingNode()) {
            String query = dnsNode.path("query").asText("");
            String type = dnsNode.path("type").asText("srv");
            String server = dnsNode.path("server").asText("");
            if (!query.matches("[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})")) {
                errors.add(new ConfigError(f, "cluster.dns.query", query, "a DNS name, e.g. _meshboot._tcp.prov.example.net"));
            }
            if (!type.equals("srv") && !type.equals("a")) {
                errors.add(new ConfigError(f, "cluster.dns.type", type, "srv (host and port per member) or a"
                        + " (addresses; every member on the same cluster port)"));
            }
            if (!server.isEmpty() && !server.matches("[0-9.]+(:[0-9]{1,5})?")) {
                errors.add(new ConfigError(f, "cluster.dns.server", server, "an IPv4 address with an optional port,"
                        + " like 10.0.0.53 or 127.0.0.1:5353 (default: the system's resolver)"));
            }
            if (transport != ChannelSettings.Transport.TCP) {
                errors.add(new ConfigError(f, "cluster.dns", query, "DNS discovery is for transport: tcp (udp finds"
                        + " members by multicast)"));
            }
            dns = Optional.of(new ChannelSettings.Dns(query, type.equals("srv"),
                    server.isEmpty() ? Optional.empty() : Optional.of(server)));
        }
        if (transport == ChannelSettings.Transport.TCP && ps.isEmpty() && dns.isEmpty()) {
            errors.add(new ConfigError(f, "cluster.peers", "", "the tcp transport needs the static peers to ask at"
                    + " join, or a dns name that lists them"));
        }
        JsonNode t = c.path("timeouts");
        t.fieldNames().forEachRemaining(k -> {
            if (!TIMEOUT_KEYS.contains(k)) {
                errors.add(new ConfigError(f, "cluster.timeouts." + k, "", "unknown field (known: "
                        + TIMEOUT_KEYS.stream().sorted().toList() + ")"));
            }
        });
        ChannelSettings.Timing d = ChannelSettings.Timing.DEFAULTS;
        ChannelSettings.Timing timing = d;
        try {
            timing = new ChannelSettings.Timing(ms(t, "suspect", d.suspectAfter(), f, errors),
                    ms(t, "heartbeat", d.heartbeat(), f, errors), ms(t, "verify", d.verify(), f, errors),
                    ms(t, "mergeMin", d.mergeMin(), f, errors), ms(t, "mergeMax", d.mergeMax(), f, errors),
                    ms(t, "join", d.join(), f, errors));
        } catch (IllegalArgumentException e) {
            errors.add(new ConfigError(f, "cluster.timeouts", t.toString(), e.getMessage()));
        }
        Duration antiEntropy = Duration.ofSeconds(intIn(c, "antiEntropySeconds", 30, 1, 86400, "cluster.", f, errors));
        JsonNode crash = c.path("crashDetection");
        if (!crash.isMissingNode() && !crash.isBoolean()) {
            errors.add(new ConfigError(f, "cluster.crashDetection", crash.asText(), "true or false"));
        }
        if (errors.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new Membership(new ChannelSettings(name, member, transport, bind, port, multicast, peers,
                timing, crash.asBoolean(true), dns), secret, antiEntropy));
    }

    private static Scrub scrub(JsonNode s, String f, List<ConfigError> errors) {
        s.fieldNames().forEachRemaining(k -> {
            if (!SCRUB_KEYS.contains(k)) {
                errors.add(new ConfigError(f, "scrub." + k, "", "unknown field (known: "
                        + SCRUB_KEYS.stream().sorted().toList() + ")"));
            }
        });
        Scrub d = Scrub.DEFAULTS;
        return new Scrub(Duration.ofMinutes(intIn(s, "firstAfterMinutes", (int) d.first().toMinutes(), 1, 525_600,
                "scrub.", f, errors)),
                Duration.ofMinutes(intIn(s, "intervalMinutes", (int) d.every().toMinutes(), 1, 525_600, "scrub.", f,
                        errors)),
                intIn(s, "bytesPerSecond", (int) d.bytesPerSecond(), 65_536, Integer.MAX_VALUE, "scrub.", f, errors),
                Duration.ofMinutes(intIn(s, "gcMinAgeMinutes", (int) d.gcMinAge().toMinutes(), 1, 525_600, "scrub.",
                        f, errors)));
    }

    private static Duration ms(JsonNode timeouts, String name, Duration fallback, String f, List<ConfigError> errors) {
        return Duration.ofMillis(intIn(timeouts, name, (int) fallback.toMillis(), 10, 600_000, "cluster.timeouts.", f,
                errors));
    }

    private static int intIn(JsonNode parent, String name, int fallback, int min, int max, String prefix, String f,
            List<ConfigError> errors) {
        JsonNode n = parent.path(name);
        if (n.isMissingNode()) {
            return fallback;
        }
        if (!n.canConvertToInt() || n.asInt() < min || n.asInt() > max) {
            errors.add(new ConfigError(f, prefix + name, n.asText(), "an integer from " + min + " to " + max));
            return fallback;
        }
        return n.asInt();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().split("\\.")[0];
        } catch (UnknownHostException e) {
            return "member";
        }
    }

    private static int port(JsonNode ports, String name, int fallback, String file, List<ConfigError> errors) {
        JsonNode n = ports.path(name);
        if (n.isMissingNode()) {
            return fallback;
        }
        if (!n.canConvertToInt() || n.asInt() < 0 || n.asInt() > 65535) {
            errors.add(new ConfigError(file, "ports." + name, n.asText(), "a port number, 0 to 65535"));
            return fallback;
        }
        return n.asInt();
    }
}
