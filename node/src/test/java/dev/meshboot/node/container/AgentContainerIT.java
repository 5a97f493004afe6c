package dev.meshboot.node.container;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.images.testing.Processes;
import dev.meshboot.images.testing.Tiers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;

/**
 * The agent in a container, as the multi-host tests run it: the image built FROM scratch, an internal Docker
 * network (with the broadcast rule LAB.md describes), and a real DHCP client (busybox udhcpc) in a second container
 * that gets its reservation and then fetches its iPXE script over HTTP.
 */
@Timeout(300)
class AgentContainerIT {
    static final String BRIDGE = "mbt" + ProcessHandle.current().pid() % 100000;
    /**
     * Docker 20.10 (API 1.41) ignores a container-level MAC on a user network and derives the MAC from the address:
     * 02:42 and the four bytes of 10.99.7.20. The client's script prints its MAC, so a change here shows at once.
     */
    private static final String CLIENT_MAC = "02:42:0a:63:07:14";

    @TempDir
    static Path work;

    private static InternalNetwork lab;
    private static Network network;
    private static String image;

    @BeforeAll
    static void setUp() throws Exception {
        Tiers.requireRoot();
        Tiers.requireTool("docker");
        Tiers.requireTool("iptables");
        image = AgentImage.build(Path.of("target/meshboot.jar").toAbsolutePath(), work);
        lab = InternalNetwork.create(BRIDGE, "10.99.7.0/24", work);
        network = lab.network;
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    private static final String CLUSTER = """
            kind: Cluster
            name: lab
            spec:
              networks:
                - {name: prov, subnet: 10.99.7.0/24, gateway: 10.99.7.1, dns: [10.99.7.1]}
            ---
            kind: Profile
            name: compute
            spec: {os: debian}
            ---
            kind: Node
            name: client-01
            spec: {mac: "%s", address: 10.99.7.21, profile: compute}
            """.formatted(CLIENT_MAC);

    private static final String AGENT = """
            documents: [cluster.yaml]
            interfaces:
              - {device: eth0, network: prov, address: 10.99.7.10}
            ports: {dhcp: 67, dhcpClient: 68, tftp: 69, http: 8080}
            tftpRoot: /srv/meshboot/tftp
            bootDir: /srv/meshboot/boot
            store: /var/lib/meshboot/store
            leases: /var/lib/meshboot/leases.json
            installs: /var/lib/meshboot/installs.json
            """;

    @Test
    void anAgentContainer_answersARealDhcpClient_withItsReservation_andServesItsScript() throws Exception {
        StringBuilder agentLog = new StringBuilder();
        try (GenericContainer<?> agent = new GenericContainer<>(image)
                .withNetwork(network)
                .withCreateContainerCmdModifier(c -> c.withName("meshboot-test-agent-" + BRIDGE).withIpv4Address("10.99.7.10"))
                .withCopyToContainer(Transferable.of(CLUSTER), "/etc/meshboot/cluster.yaml")
                .withCopyToContainer(Transferable.of(AGENT), "/etc/meshboot/agent.yaml")
                .withCommand("node", "--config", "/etc/meshboot/agent.yaml")
                .withLogConsumer((OutputFrame f) -> agentLog.append(f.getUtf8String()))
                .waitingFor(Wait.forLogMessage(".*serving.*\\n", 1).withStartupTimeout(Duration.ofSeconds(90)))) {
            agent.start();
            String script = "echo MAC=$(cat /sys/class/net/eth0/address); printf '#!/bin/sh\\n[ \"$1\" = bound ] && echo LEASE ip=$ip router=$router\\nexit 0\\n' > /tmp/s;"
                    + " chmod +x /tmp/s; udhcpc -i eth0 -n -q -t 10 -T 1 -s /tmp/s;"
                    + " wget -q -O - 'http://10.99.7.10:8080/boot/" + CLIENT_MAC + ".ipxe'; echo; echo CLIENT-DONE";
            StringBuilder clientLog = new StringBuilder();
            try (GenericContainer<?> client = new GenericContainer<>(image)
                    .withNetwork(network)
                    .withCreateContainerCmdModifier(c -> c.withName("meshboot-test-client-" + BRIDGE)
                            .withIpv4Address("10.99.7.20").withEntrypoint("/bin/sh", "-c", script))
                    .withLogConsumer((OutputFrame f) -> clientLog.append(f.getUtf8String()))
                    .waitingFor(Wait.forLogMessage(".*CLIENT-DONE.*\\n", 1).withStartupTimeout(Duration.ofSeconds(60)))) {
                client.start();
            }
            assertTrue(clientLog.toString().contains("LEASE ip=10.99.7.21 router=10.99.7.1"),
                    "no lease of the reservation; client:\n" + clientLog + "\nagent:\n" + agentLog);
            assertTrue(clientLog.toString().contains("#!ipxe"), "no script over HTTP; client:\n" + clientLog);
        }
    }

}
