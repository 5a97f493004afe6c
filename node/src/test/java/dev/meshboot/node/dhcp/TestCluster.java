package dev.meshboot.node.dhcp;

import dev.meshboot.clusterconfig.ClusterConfig;
import dev.meshboot.clusterconfig.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A small cluster for the DHCP tests: network prov 10.99.0.0/24, two known machines. */
final class TestCluster {
    static final String YAML = """
            kind: Cluster
            name: lab
            spec:
              networks:
                - name: prov
                  subnet: 10.99.0.0/24
                  gateway: 10.99.0.1
                  dns: [10.99.0.1, 10.99.0.2]
                  domain: lab.test
                  leaseSeconds: 600
            ---
            kind: Profile
            name: compute
            spec: {os: debian}
            ---
            kind: Node
            name: node-01
            spec: {mac: "52:54:00:12:34:01", address: 10.99.0.11, profile: compute}
            ---
            kind: Node
            name: node-02
            spec: {mac: "52:54:00:12:34:02", address: 10.99.0.12, profile: compute}
            """;

    private TestCluster() {}

    static ClusterConfig load(Path dir) throws Exception {
        Path f = dir.resolve("cluster.yaml");
        Files.writeString(f, YAML);
        return new ConfigLoader().load(List.of(f));
    }
}
