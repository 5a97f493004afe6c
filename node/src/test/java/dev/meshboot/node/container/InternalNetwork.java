package dev.meshboot.node.container;

import dev.meshboot.images.testing.Processes;
import java.nio.file.Path;
import java.util.Map;
import org.testcontainers.containers.Network;

/**
 * An internal Docker network for agent containers, with a fixed bridge name and subnet, and the DOCKER-USER rule that
 * lets broadcast and multicast through it (Docker's isolation rule drops them on internal bridges: LAB.md). Closing
 * removes the rule and the network.
 */
final class InternalNetwork implements AutoCloseable {
    final Network network;
    private final String bridge;
    private final Path work;

    private InternalNetwork(Network network, String bridge, Path work) {
        this.network = network;
        this.bridge = bridge;
        this.work = work;
    }

    static InternalNetwork create(String bridge, String subnet, Path work) throws Exception {
        Network n = Network.builder().createNetworkCmdModifier(cmd -> cmd.withInternal(true)
                .withOptions(Map.of("com.docker.network.bridge.name", bridge))
                .withIpam(new com.github.dockerjava.api.model.Network.Ipam().withConfig(
                        new com.github.dockerjava.api.model.Network.Ipam.Config().withSubnet(subnet))))
                .build();
        n.getId(); // creates it
        Processes.must(work, "iptables -I DOCKER-USER -i " + bridge + " -o " + bridge + " -j ACCEPT");
        return new InternalNetwork(n, bridge, work);
    }

    @Override
    public void close() throws java.io.IOException {
        try {
            Processes.bash(work, "iptables -D DOCKER-USER -i " + bridge + " -o " + bridge + " -j ACCEPT");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            network.close();
        }
    }
}
