package dev.meshboot.clusterconfig;

import java.util.List;
import java.util.Optional;

/** The cluster itself: its name, how many boot servers are active at once (K), and its networks. */
public record Cluster(String name, int bootServers, List<Network> networks) {
    public Cluster {
        networks = List.copyOf(networks);
    }

    public Optional<Network> network(String networkName) {
        return networks.stream().filter(n -> n.name().equals(networkName)).findFirst();
    }
}
