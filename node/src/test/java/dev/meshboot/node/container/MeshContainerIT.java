package dev.meshboot.node.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.meshboot.bootstrap.artifacts.ArtifactStore;
import dev.meshboot.bootstrap.artifacts.BootArtifacts;
import dev.meshboot.images.build.BuildListener;
import dev.meshboot.images.build.SnapshotBuilder;
import dev.meshboot.images.sample.SampleTree;
import dev.meshboot.images.signing.KeyFiles;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.images.testing.Processes;
import dev.meshboot.images.testing.Tiers;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.MountableFile;

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
    /** Docker 20.10 derives a container's MAC from its address (AgentContainerIT): 02:42 and 10.99.6.40. */
    private static final String CLIENT_MAC = "02:42:0a:63:06:28";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path work;

    private static InternalNetwork lab;
    private static Network network;
    private static String image;
    private static final List<GenericContainer<?>> members = new ArrayList<>();
    private static final List<StringBuilder> logs = new ArrayList<>();
    private static String snapshot;
    private static BootArtifacts.Blob kernel;

    private static final String CLUSTER = """
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
            """.formatted(NET, NET, CLIENT_MAC, NET) + memberNodes();

    /** The five agents' own machines are nodes of the cluster too (K may not exceed the nodes). */
    private static String memberNodes() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            b.append("""
                    ---
                    kind: Node
                    name: m%d
                    spec: {mac: "02:42:0a:63:06:%02x", address: %s.%d, profile: compute}
                    """.formatted(i, 10 + i, NET, 10 + i));
        }
        return b.toString();
    }

    private static String agentYaml(int i, boolean seed) {
        return (seed ? "documents: [/etc/meshboot/cluster.yaml]\n" : "") + """
                interfaces:
                  - {device: eth0, network: prov, address: %s.%d}
                ports: {dhcp: 67, dhcpClient: 68, tftp: 69, http: 8080}
                tftpRoot: /srv/meshboot/tftp
                bootDir: /srv/meshboot/boot
                store: /var/lib/meshboot/store
                leases: /var/lib/meshboot/leases.json
                installs: /var/lib/meshboot/installs.json
                configStore: /var/lib/meshboot/config
                cluster:
                  name: mesh
                  member: m%d
                  secret: /etc/meshboot/cluster.secret
                  transport: udp
                  multicast: {address: 239.6.6.6, port: 45566}
                """.formatted(NET, 10 + i, i);
    }

    @BeforeAll
    static void mesh() throws Exception {
        Tiers.requireRoot();
        Tiers.requireTool("docker");
        Tiers.requireTool("iptables");
        image = AgentImage.build(Path.of("target/meshboot.jar").toAbsolutePath(), work);
        lab = InternalNetwork.create(BRIDGE, NET + ".0/24", work);
        network = lab.network;

        // The publisher's store: a signed snapshot and an artifact set standing in for kernel and initramfs.
        KeyPair key = KeyFiles.generate();
        SnapshotStore origin = SnapshotStore.open(work.resolve("origin"));
        snapshot = new SnapshotBuilder(origin, Clock.systemUTC(), BuildListener.NONE).build(
                new SampleTree(4).create(work.resolve("rootfs")),
                SnapshotBuilder.Options.defaults("mesh").withChunkSize(16 << 10).withKey(key)).id();
        origin.trust(key.getPublic());
        byte[] bytes = new byte[2_000_000];
        new java.util.Random(9).nextBytes(bytes);
        ArtifactStore a = new ArtifactStore(origin.root());
        kernel = a.put(bytes);
        a.commit(new BootArtifacts(snapshot, "6.1.0-test", Map.of("vmlinuz", kernel)));
        Processes.must(work, "chmod -R a+rX origin");

        for (int i = 0; i < 5; i++) {
            members.add(agent(i, "the mesh test's secret, at least 32 bytes", i == 0));
        }
        for (GenericContainer<?> m : members) {
            m.start();
        }
    }

    private static GenericContainer<?> agent(int i, String secret, boolean seed) {
        StringBuilder log = new StringBuilder();
        logs.add(log);
        GenericContainer<?> c = new GenericContainer<>(image)
                .withNetwork(network)
                .withCreateContainerCmdModifier(cmd -> cmd.withName("meshboot-test-" + BRIDGE + "-m" + i)
                        .withIpv4Address(NET + "." + (10 + i)))
                .withCopyToContainer(Transferable.of(CLUSTER), "/etc/meshboot/cluster.yaml")
                .withCopyToContainer(Transferable.of(agentYaml(i, seed)), "/etc/meshboot/agent.yaml")
                .withCopyToContainer(Transferable.of(secret + "\n", 0600), "/etc/meshboot/cluster.secret")
                .withCommand("node", "--config", "/etc/meshboot/agent.yaml")
                .withLogConsumer((OutputFrame f) -> log.append(f.getUtf8String()))
                .waitingFor(Wait.forLogMessage(".*serving.*\\n", 1).withStartupTimeout(Duration.ofSeconds(120)));
        if (seed) {
            c.withCopyToContainer(MountableFile.forHostPath(work.resolve("origin")), "/var/lib/meshboot/store");
        }
        return c;
    }

    @AfterAll
    static void down() throws Exception {
        for (GenericContainer<?> m : members) {
            m.stop();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private static Container.ExecResult meshboot(GenericContainer<?> c, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/jre/bin/java", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", "-jar", "/app/meshboot.jar"));
        cmd.addAll(List.of(args));
        return c.execInContainer(cmd.toArray(String[]::new));
    }

    private static JsonNode status(GenericContainer<?> c) throws Exception {
        Container.ExecResult r = meshboot(c, "status", "--json");
        assertEquals(0, r.getExitCode(), r.getStderr());
        return JSON.readTree(r.getStdout()).path("mesh");
    }

    private static void await(String what, int seconds, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what + "\n" + String.join("\n----\n",
                        logs.stream().map(StringBuilder::toString).toList()));
            }
            Thread.sleep(500);
        }
    }

    private static boolean holds(GenericContainer<?> c) {
        try {
            JsonNode s = status(c);
            boolean held = false;
            for (JsonNode h : s.path("held")) {
                held |= h.asText().equals(snapshot);
            }
            Container.ExecResult art = c.execInContainer("wget", "-q", "-O", "-",
                    "http://127.0.0.1:8080/snapshots/" + snapshot + "/artifacts.json");
            return held && art.getExitCode() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void publishedOnOne_heldByAll_aWrongSecretNeverJoins_andTheSurvivorOfFourKillsServesDhcpAndTheSnapshot()
            throws Exception {
        await("five members in one view", 90, () -> {
            try {
                return status(members.get(0)).path("members").size() == 5;
            } catch (Exception e) {
                return false;
            }
        });

        // 1. publish on m0; every member pulls it, with its boot artifacts.
        long t0 = System.nanoTime();
        Container.ExecResult pub = meshboot(members.get(0), "image", "publish", snapshot, "--channel", "stable");
        assertEquals(0, pub.getExitCode(), pub.getStdout() + pub.getStderr());
        for (GenericContainer<?> m : members) {
            await(m.getContainerName() + " holds the snapshot", 120, () -> holds(m));
        }
        System.out.printf("FIGURE publish to held by all five containers: %.1f s%n", (System.nanoTime() - t0) / 1e9);

        // 2. a member with another secret stays alone and unseen.
        GenericContainer<?> stranger = agent(5, "not the mesh's secret, also 32+ bytes long", false);
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
        await("two active boot servers", 60, () -> {
            try {
                return status(members.get(0)).path("active").size() == 2;
            } catch (Exception e) {
                return false;
            }
        });
        Set<String> active = new java.util.HashSet<>();
        status(members.get(0)).path("active").forEach(a -> active.add(a.asText()));
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
        await("the survivor is an active boot server", 60, () -> {
            try {
                JsonNode st = status(s);
                return st.path("bootServer").asBoolean() && st.path("members").size() == 1;
            } catch (Exception e) {
                return false;
            }
        });
        System.out.printf("FIGURE survivor active after four were killed: %.1f s%n", (System.nanoTime() - t1) / 1e9);

        String script = "echo MAC=$(cat /sys/class/net/eth0/address);"
                + " printf '#!/bin/sh\\n[ \"$1\" = bound ] && echo LEASE ip=$ip\\nexit 0\\n' > /tmp/s; chmod +x /tmp/s;"
                + " udhcpc -i eth0 -n -q -t 10 -T 1 -s /tmp/s;"
                + " SERVER=" + NET + "." + (10 + members.indexOf(s)) + ";"
                + " wget -q -O /tmp/manifest http://$SERVER:8080/snapshots/" + snapshot + "/manifest.json && echo MANIFEST=$(sha256sum < /tmp/manifest | cut -c1-64);"
                + " wget -q -O /tmp/k http://$SERVER:8080/snapshots/" + snapshot + "/boot/vmlinuz && echo KERNEL=$(sha256sum < /tmp/k | cut -c1-64);"
                + " echo CLIENT-DONE";
        StringBuilder clientLog = new StringBuilder();
        try (GenericContainer<?> client = new GenericContainer<>(image)
                .withNetwork(network)
                .withCreateContainerCmdModifier(c -> c.withName("meshboot-test-" + BRIDGE + "-client")
                        .withIpv4Address(NET + ".40").withEntrypoint("/bin/sh", "-c", script))
                .withLogConsumer((OutputFrame f) -> clientLog.append(f.getUtf8String()))
                .waitingFor(Wait.forLogMessage(".*CLIENT-DONE.*\\n", 1).withStartupTimeout(Duration.ofSeconds(90)))) {
            client.start();
        }
        assertTrue(clientLog.toString().contains("LEASE ip=" + NET + ".41"), "no reservation from the survivor:\n"
                + clientLog);
        assertTrue(clientLog.toString().contains("MANIFEST=" + snapshot), "the survivor did not serve the manifest:\n"
                + clientLog);
        assertTrue(clientLog.toString().contains("KERNEL=" + kernel.sha256()), "the survivor did not serve the boot"
                + " artifacts:\n" + clientLog);
    }
}
