package dev.meshboot.node.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.clusterconfig.ClusterConfig;
import dev.meshboot.clusterconfig.ConfigLoader;
import dev.meshboot.clusterconfig.Mac;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigBootPolicyTest {
    @TempDir
    Path dir;

    @Test
    void eachNetwork_isHandedUrlsOnItsOwnInterfacesAddress() throws Exception {
        Path f = Files.writeString(dir.resolve("c.yaml"), """
                kind: Cluster
                name: c
                spec:
                  networks:
                    - {name: prov, subnet: 10.99.0.0/24}
                    - {name: storage, subnet: 10.98.0.0/24}
                ---
                kind: Profile
                name: p
                spec: {os: debian}
                ---
                kind: Node
                name: s1
                spec: {mac: "52:54:00:00:00:03", network: storage, address: 10.98.0.13, profile: p}
                """);
        ClusterConfig config = new ConfigLoader().load(List.of(f));
        Map<String, String> bases = Map.of("prov", "http://10.99.0.1:8080", "storage", "http://10.98.0.1:8080");
        ConfigBootPolicy policy = new ConfigBootPolicy(() -> config, bases::get, false, Optional.empty());
        BootRequest ipxe = new BootRequest(Mac.parse("52:54:00:00:00:03"), "storage", List.of(7), List.of("iPXE"),
                Optional.empty());
        assertEquals(Optional.of("http://10.98.0.1:8080/boot/52:54:00:00:00:03.ipxe"),
                policy.answer(ipxe).orElseThrow().bootFile());
        assertTrue(policy.answer(new BootRequest(ipxe.mac(), "prov", List.of(7), List.of("iPXE"), Optional.empty()))
                .isEmpty(), "its reservation is on storage, not prov");
    }
}
