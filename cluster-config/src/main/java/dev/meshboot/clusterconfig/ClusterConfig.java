package dev.meshboot.clusterconfig;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A validated, consistent set of documents: one cluster, its profiles and its nodes. Everything a boot policy
 * asks ("what is this MAC?") is answered from here; it is immutable, so a server can hold one while the store
 * swaps in the next.
 */
public final class ClusterConfig {
    private final Cluster cluster;
    private final Map<String, Profile> profiles;
    private final Map<String, Node> nodesByName;
    private final Map<Mac, Node> nodesByMac;
    private final Map<String, String> channels;
    private final List<Template> templates;

    ClusterConfig(Cluster cluster, Collection<Profile> profiles, Collection<Node> nodes, Map<String, String> channels,
            Collection<Template> templates) {
        this.channels = Map.copyOf(channels);
        this.templates = templates.stream().sorted(java.util.Comparator.comparing(Template::name)).toList();
        this.cluster = cluster;
        this.profiles = new TreeMap<>();
        profiles.forEach(p -> this.profiles.put(p.name(), p));
        this.nodesByName = new TreeMap<>();
        this.nodesByMac = new TreeMap<>((a, b) -> a.text().compareTo(b.text()));
        for (Node n : nodes) {
            nodesByName.put(n.name(), n);
            nodesByMac.put(n.mac(), n);
        }
    }

    /**
     * No cluster, no node: what an agent serves before its store ever held valid documents (a new member that has
     * not caught up yet). Every lookup finds nothing, so no machine is answered rather than a wrong answer given.
     */
    public static ClusterConfig empty() {
        return new ClusterConfig(new Cluster("", 0, List.of()), List.of(), List.of(), Map.of(), List.of());
    }

    public Cluster cluster() {
        return cluster;
    }

    public Optional<Node> nodeByMac(Mac mac) {
        return Optional.ofNullable(nodesByMac.get(mac));
    }

    public Optional<Node> node(String name) {
        return Optional.ofNullable(nodesByName.get(name));
    }

    public Optional<Profile> profile(String name) {
        return Optional.ofNullable(profiles.get(name));
    }

    public List<Node> nodes() {
        return List.copyOf(nodesByName.values());
    }

    public List<Profile> profiles() {
        return List.copyOf(profiles.values());
    }

    /** The Template documents, in name order. */
    public List<Template> templates() {
        return templates;
    }

    /** The snapshot id a channel points at. */
    public Optional<String> channel(String name) {
        return Optional.ofNullable(channels.get(name));
    }

    /** The snapshot a node boots: its pinned one, else the one its channel points at (if the channel exists). */
    public Optional<String> snapshotFor(Node node) {
        return node.snapshot().or(() -> channel(node.channel()));
    }

    public Profile profileOf(Node node) {
        return profiles.get(node.profile());
    }

    /** The install mode a node gets: its own override, else its profile's. */
    public Profile.InstallMode installMode(Node node) {
        return node.install().orElseGet(() -> profiles.get(node.profile()).install());
    }
}
