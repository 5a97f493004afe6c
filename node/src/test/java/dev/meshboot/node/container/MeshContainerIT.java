package dev.meshboot.node.container;

import static dev.meshboot.node.container.MeshLab.active;
import static dev.meshboot.node.container.MeshLab.meshboot;
import static dev.meshboot.node.container.MeshLab.status;
import static dev.meshboot.node.container.MeshLab.viewSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The mesh across hosts: five agent containers (built FROM scratch) on an internal Docker network, one cluster over
 * UDP multicast with the cluster secret, K = 2. In order:
 * <ol>
 *   <li>a snapshot published on one member is held (complete, committed) by all five, with its boot artifacts;
 *   <li>a container with a wrong secret never joins, and no member ever sees it;
 *   <li>four of the five are killed, both active boot servers among them: the survivor, not active before, becomes
 *       active and answers a real DHCP client (busybox udhcpc in a sixth container) with its reservation, and serves
 *       the snapshot's manifest and boot artifacts.
 * </ol>
 */
@Timeout(420)
class MeshContainerIT {
    private static final String BRIDGE = "mbm" + ProcessHandle.current().pid() % 100000;
    private static final String NET = "10.99.6";

    @TempDir
    static Path work;

    private static MeshLab lab;
    private static final List<GenericContainer<?>> members = new ArrayList<>();

    private static String cluster() {
        return """
                kind: Cluster
                name: lab
                spec:
                  bootServers: 2
                  networks:
                    - {name: prov, subnet: %s.0/24, gateway: %s.1}
                ---
                kind: Profile
                name: compute
                spec: {os: debian}
                ---
                kind: Node
                name: client-01
                spec: {mac: "%s", address: %s.41, profile: compute}
                """.formatted(NET, NET, lab.macOf(40), NET) + lab.memberNodes(5);
    }

    @BeforeAll
    static void mesh() throws Exception {
        lab = MeshLab.create(BRIDGE, NET, work);
        for (int i = 0; i < 5; i++) {
            members.add(lab.agent(i, cluster(), MeshLab.SECRET, i == 0));
        }
        members.forEach(GenericContainer::start);
    }

    @AfterAll
    static void down() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void publishedOnOne_heldByAll_aWrongSecretNeverJoins_andTheSurvivorOfFourKillsServesDhcpAndTheSnapshot()
            throws Exception {
        lab.await("five members in one view", 90, () -> viewSize(members.get(0)) == 5);

        // 1. publish on m0; every member pulls it, with its boot artifacts.
        long t0 = System.nanoTime();
        Container.ExecResult pub = meshboot(members.get(0), "image", "publish", lab.snapshot, "--channel", "stable");
        assertEquals(0, pub.getExitCode(), pub.getStdout() + pub.getStderr());
        for (GenericContainer<?> m : members) {
            lab.await(m.getContainerName() + " holds the snapshot", 120, () -> lab.holds(m));
        }
        System.out.printf("FIGURE publish to held by all five containers: %.1f s%n", (System.nanoTime() - t0) / 1e9);

        // 2. a member with another secret stays alone and unseen.
        GenericContainer<?> stranger = lab.agent(5, cluster(), "not the mesh's secret, also 32+ bytes long", false);
        stranger.start();
        try {
            Thread.sleep(8_000); // long enough for discovery and MERGE3 rounds (max 3 s); it must still be alone
            assertEquals(1, status(stranger).path("members").size(), "the stranger joined someone");
            for (GenericContainer<?> m : members) {
                assertFalse(status(m).path("members").has("m5"), m.getContainerName() + " sees the stranger");
            }
        } finally {
            stranger.stop();
        }

        // 3. kill four, both active boot servers among them; the survivor was not active.
        lab.await("two active boot servers", 60, () -> active(members.get(0)).size() == 2);
        Set<String> active = new java.util.HashSet<>(active(members.get(0)));
        GenericContainer<?> survivor = null;
        for (int i = 0; i < 5; i++) {
            if (!active.contains("m" + i)) {
                survivor = members.get(i);
            }
        }
        assertTrue(survivor != null && active.size() == 2, "no standby member: " + active);
        for (GenericContainer<?> m : members) {
            if (m != survivor) {
                m.getDockerClient().killContainerCmd(m.getContainerId()).exec();
            }
        }
        GenericContainer<?> s = survivor;
        long t1 = System.nanoTime();
        lab.await("the survivor is an active boot server", 60, () -> {
            JsonNode st = MeshLab.statusOrMissing(s);
            return st.path("bootServer").asBoolean() && st.path("members").size() == 1;
        });
        System.out.printf("FIGURE survivor active after four were killed: %.1f s%n", (System.nanoTime() - t1) / 1e9);

        String script = "echo MAC=$(cat /sys/class/net/eth0/address);"
                + " printf '#!/bin/sh\\n[ \"$1\" = bound ] && echo LEASE ip=$ip\\nexit 0\\n' > /tmp/s; chmod +x /tmp/s;"
                + " udhcpc -i eth0 -n -q -t 10 -T 1 -s /tmp/s;"
                + " SERVER=" + NET + "." + (10 + members.indexOf(s)) + ";"
                + " wget -q -O /tmp/manifest http://$SERVER:8080/snapshots/" + lab.snapshot + "/manifest.json && echo MANIFEST=$(sha256sum < /tmp/manifest | cut -c1-64);"
                + " wget -q -O /tmp/k http://$SERVER:8080/snapshots/" + lab.snapshot + "/boot/vmlinuz && echo KERNEL=$(sha256sum < /tmp/k | cut -c1-64);"
                + " echo CLIENT-DONE";
        StringBuilder clientLog = new StringBuilder();
        try (GenericContainer<?> client = new GenericContainer<>(lab.image)
                .withNetwork(lab.lab.network)
                .withCreateContainerCmdModifier(c -> c.withName("meshboot-test-" + BRIDGE + "-client")
                        .withIpv4Address(NET + ".40").withEntrypoint("/bin/sh", "-c", script))
                .withLogConsumer((OutputFrame f) -> clientLog.append(f.getUtf8String()))
                .waitingFor(Wait.forLogMessage(".*CLIENT-DONE.*\\n", 1).withStartupTimeout(Duration.ofSeconds(90)))) {
            client.start();
        }
        assertTrue(clientLog.toString().contains("LEASE ip=" + NET + ".41"), "no reservation from the survivor:\n"
                + clientLog);
        assertTrue(clientLog.toString().contains("MANIFEST=" + lab.snapshot), "the survivor did not serve the"
                + " manifest:\n" + clientLog);
        assertTrue(clientLog.toString().contains("KERNEL=" + lab.kernel.sha256()), "the survivor did not serve the"
                + " boot artifacts:\n" + clientLog);
    }
}
