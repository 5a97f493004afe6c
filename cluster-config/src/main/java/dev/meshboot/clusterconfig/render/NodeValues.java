package dev.meshboot.clusterconfig.render;

import dev.meshboot.clusterconfig.ClusterConfig;
import dev.meshboot.clusterconfig.Network;
import dev.meshboot.clusterconfig.Node;
import dev.meshboot.clusterconfig.Profile;
import dev.meshboot.clusterconfig.template.NodeVariables;
import dev.meshboot.clusterconfig.template.TemplateValues;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** Fills {@link NodeVariables} for one node; docs/templates.md documents each value. */
final class NodeValues {
    private NodeValues() {}

    static TemplateValues of(ClusterConfig config, Node node) {
        Network network = config.cluster().network(node.network()).orElseThrow();
        Profile profile = config.profileOf(node);
        Map<String, String> text = new TreeMap<>();
        text.put("node", node.name());
        text.put("hostname", node.hostname());
        text.put("domain", network.domain());
        text.put("fqdn", fqdn(node, network));
        text.put("mac", node.mac().text());
        text.put("network", network.name());
        text.put("address", node.address().toString());
        text.put("prefix", Integer.toString(network.subnet().prefix()));
        text.put("netmask", network.subnet().netmask().toString());
        network.gateway().ifPresent(g -> text.put("gateway", g.toString()));
        text.put("profile", profile.name());
        text.put("os", profile.os().name().toLowerCase(Locale.ROOT));
        text.put("install", config.installMode(node).name().toLowerCase(Locale.ROOT));
        text.put("channel", node.channel());
        text.put("uuid", uuid(node).toString());
        return new TemplateValues(text, Map.of("dns", network.dns().stream().map(Object::toString).toList(),
                "services", List.copyOf(profile.services())));
    }

    static String fqdn(Node node, Network network) {
        return network.domain().isEmpty() ? node.hostname() : node.hostname() + "." + network.domain();
    }

    /**
     * A name-based UUID: the same node always gets the same connection UUID, so re-rendering changes no byte, and two
     * nodes never share one.
     */
    static UUID uuid(Node node) {
        return UUID.nameUUIDFromBytes(("meshboot:" + node.name() + ":" + node.mac().text()).getBytes(StandardCharsets.UTF_8));
    }
}
