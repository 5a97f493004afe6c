package dev.meshboot.clusterconfig.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.meshboot.clusterconfig.ClusterConfig;
import dev.meshboot.clusterconfig.Network;
import dev.meshboot.clusterconfig.Node;
import dev.meshboot.clusterconfig.Profile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the files of a node's config archive (docs/boot-flow.md, "The config archive"), which {@code /init} lays
 * over the new root before {@code switch_root}. A pure function of the documents: the same documents give the same
 * files in the same order. The files every OS family gets: {@code etc/hostname}, {@code etc/hosts} and
 * {@code etc/meshboot/node.json} (the node's generic settings, for the agent and for scripts).
 */
public final class ConfigRenderer {
    private final ObjectMapper json = JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    public List<RenderedFile> render(ClusterConfig config, Node node) {
        Network network = config.cluster().network(node.network()).orElseThrow();
        Profile profile = config.profileOf(node);
        String fqdn = network.domain().isEmpty() ? node.hostname() : node.hostname() + "." + network.domain();
        List<RenderedFile> files = new ArrayList<>();
        files.add(RenderedFile.text("etc/hostname", node.hostname() + "\n"));
        files.add(RenderedFile.text("etc/hosts", "127.0.0.1\tlocalhost\n" + node.address() + "\t" + fqdn
                + (fqdn.equals(node.hostname()) ? "" : "\t" + node.hostname()) + "\n"));
        Map<String, Object> generic = new LinkedHashMap<>();
        generic.put("node", node.name());
        generic.put("hostname", node.hostname());
        generic.put("domain", network.domain());
        generic.put("network", network.name());
        generic.put("address", node.address().toString());
        generic.put("prefix", network.subnet().prefix());
        generic.put("gateway", network.gateway().map(Object::toString).orElse(null));
        generic.put("dns", network.dns().stream().map(Object::toString).toList());
        generic.put("profile", profile.name());
        generic.put("os", profile.os().name().toLowerCase(java.util.Locale.ROOT));
        generic.put("install", config.installMode(node).name().toLowerCase(java.util.Locale.ROOT));
        generic.put("services", profile.services());
        generic.put("channel", node.channel());
        try {
            files.add(RenderedFile.text("etc/meshboot/node.json", json.writeValueAsString(generic) + "\n"));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return List.copyOf(files);
    }
}
