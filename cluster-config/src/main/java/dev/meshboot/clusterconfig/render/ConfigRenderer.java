package dev.meshboot.clusterconfig.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.meshboot.clusterconfig.ClusterConfig;
import dev.meshboot.clusterconfig.Network;
import dev.meshboot.clusterconfig.Node;
import dev.meshboot.clusterconfig.Profile;
import dev.meshboot.clusterconfig.Template;
import dev.meshboot.clusterconfig.template.NodeVariables;
import dev.meshboot.clusterconfig.template.ParsedTemplate;
import dev.meshboot.clusterconfig.template.TemplateException;
import dev.meshboot.clusterconfig.template.TemplateValues;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders the files of a node's config archive (docs/boot-flow.md, "The config archive"), which {@code /init} lays
 * over the new root before {@code switch_root}. The node's profile names its OS family; the family's built-in
 * templates (docs/templates.md) render its network configuration, {@code etc/hostname} and {@code etc/hosts}, a
 * {@code Template} document for the same family adds a file or replaces the built-in with the same path, and enabled
 * services become the family's symlinks. Every family also gets {@code etc/meshboot/node.json}, the node's generic
 * settings for the agent and for scripts.
 *
 * <p>A pure function of the documents: the same documents give the same files, byte for byte, in path order.
 */
public final class ConfigRenderer {
    private final ObjectMapper json = JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();
    private final Map<Profile.OsFamily, Map<String, Source>> builtIns = new EnumMap<>(Profile.OsFamily.class);

    /** A template ready to render into one file. */
    private record Source(ParsedTemplate template, int mode) {}

    /** Loads and parses the built-in templates once; a broken one is a bug in this jar, so it fails loudly here. */
    public ConfigRenderer() {
        for (Profile.OsFamily family : Profile.OsFamily.values()) {
            Map<String, Source> sources = new TreeMap<>();
            for (OsFamilyLayout.BuiltIn b : OsFamilyLayout.of(family).templates()) {
                String name = "builtin/" + b.dir() + "/" + b.path();
                try {
                    sources.put(b.path(), new Source(ParsedTemplate.parse(name, resource(name), NodeVariables.KNOWN),
                            b.mode()));
                } catch (TemplateException e) {
                    throw new IllegalStateException("built-in " + e.getMessage(), e);
                }
            }
            builtIns.put(family, Map.copyOf(sources));
        }
    }

    public List<RenderedFile> render(ClusterConfig config, Node node) {
        return render(config, node, config.profileOf(node).os());
    }

    /**
     * The files a node would get with another OS family's templates ({@code meshboot config render NODE --os}): the
     * same documents, another family's rules.
     */
    public List<RenderedFile> render(ClusterConfig config, Node node, Profile.OsFamily family) {
        Map<String, Source> sources = new TreeMap<>(builtIns.get(family));
        for (Template t : config.templates()) {
            if (t.os() == family) {
                try {
                    sources.put(t.path(), new Source(ParsedTemplate.parse(t.name(), t.body(), NodeVariables.KNOWN),
                            t.mode()));
                } catch (TemplateException e) {
                    throw new IllegalStateException("ConfigLoader accepted a template it cannot parse: " + e.getMessage(), e);
                }
            }
        }
        TemplateValues values = NodeValues.of(config, node);
        List<RenderedFile> files = new ArrayList<>();
        for (Map.Entry<String, Source> e : sources.entrySet()) {
            try {
                files.add(RenderedFile.text(e.getKey(), e.getValue().mode(), e.getValue().template().render(values)));
            } catch (TemplateException ex) {
                // The parser refuses optional variables outside their #if, and NodeValues fills every other one.
                throw new IllegalStateException("a checked template failed to render: " + ex.getMessage(), ex);
            }
        }
        files.add(RenderedFile.text("etc/meshboot/node.json", nodeJson(config, node)));
        files.addAll(OsFamilyLayout.of(family).links(config.profileOf(node).services()));
        files.sort(Comparator.comparing(RenderedFile::path));
        return List.copyOf(files);
    }

    private String nodeJson(ClusterConfig config, Node node) {
        Network network = config.cluster().network(node.network()).orElseThrow();
        Profile profile = config.profileOf(node);
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
        generic.put("os", profile.os().name().toLowerCase(Locale.ROOT));
        generic.put("install", config.installMode(node).name().toLowerCase(Locale.ROOT));
        generic.put("services", profile.services());
        generic.put("channel", node.channel());
        try {
            return json.writeValueAsString(generic) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = ConfigRenderer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("built-in template missing from the jar: " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
