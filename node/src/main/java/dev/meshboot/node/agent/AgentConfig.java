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
import java.util.Set;

/**
 * The agent's own settings (not replicated: they describe this machine): which cluster documents to read, which
 * interfaces to serve on, the ports (so tests can run unprivileged), the DHCP mode, and where files live.
 * docs/configuration.md has a complete example.
 */
public record AgentConfig(Path file, List<Path> documents, boolean proxy, List<Interface> interfaces, Ports ports,
        Path tftpRoot, Path bootDir, Path store, Path leases, List<String> bootServers, Path installs) {

    /** An interface to serve: its kernel name, its cluster network, and this host's address on it. */
    public record Interface(String device, String network, Ipv4 address) {}

    /** Listening ports; 0 for tftp or http leaves that server off. */
    public record Ports(int dhcp, int dhcpClient, int pxe, int tftp, int http) {}

    private static final Set<String> KEYS = Set.of("documents", "mode", "interfaces", "ports", "tftpRoot", "bootDir", "store",
            "leases", "bootServers", "installs");

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
        if (documents.isEmpty()) {
            errors.add(new ConfigError(f, "documents", "", "name at least one file of cluster documents"));
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
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return new AgentConfig(file, documents, mode.equals("proxy"), interfaces, ports, tftpRoot, bootDir, store,
                leases, List.copyOf(bootServers), installs);
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
