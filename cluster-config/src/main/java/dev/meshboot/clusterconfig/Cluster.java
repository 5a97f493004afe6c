package dev.meshboot.clusterconfig;

import java.util.List;
import java.util.Optional;

/**
 * The cluster itself: its name, how many boot servers are active at once (K), its networks, and how a rolling
 * update proceeds.
 */
public record Cluster(String name, int bootServers, List<Network> networks, Rollout rollout) {
    public Cluster {
        networks = List.copyOf(networks);
    }

    public Cluster(String name, int bootServers, List<Network> networks) {
        this(name, bootServers, networks, Rollout.DEFAULTS);
    }

    /**
     * The rolling-update policy (DESIGN.md, "Rolling update"): how many nodes reboot at once, how many failed nodes
     * stop the rollout, and how long a rebooted node has to rejoin with the target snapshot and pass its health check.
     */
    public record Rollout(int batch, int maxFailures, java.time.Duration healthTimeout) {
        public static final Rollout DEFAULTS = new Rollout(1, 1, java.time.Duration.ofMinutes(15));
    }

    public Optional<Network> network(String networkName) {
        return networks.stream().filter(n -> n.name().equals(networkName)).findFirst();
    }
}
