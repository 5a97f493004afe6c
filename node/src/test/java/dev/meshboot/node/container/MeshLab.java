package dev.meshboot.node.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.function.BooleanSupplier;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.MountableFile;

/**
 * A mesh of agent containers for the multi-host tests: the agent image (FROM scratch), an internal Docker network
 * with its broadcast rule, a signed snapshot with a stand-in kernel in a publisher's store (given to member 0),
 * and the exchanges the tests drive: {@code meshboot} inside a container, its status, a real DHCP client
 * (busybox udhcpc) and the host-side veth of a container, which is how a partition is made (LAB.md).
 *
 * <p>Docker 20.10 derives a container's MAC from its address (02:42 and the four bytes of the IPv4 address); the
 * documents name machines by those MACs.
 */
final class MeshLab implements AutoCloseable {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String SECRET = "the mesh test's secret, at least 32 bytes";

    final String bridge;
    final String net;
    final Path work;
    final InternalNetwork lab;
    final String image;
    final String snapshot;
    final BootArtifacts.Blob kernel;
    private final List<GenericContainer<?>> started = new ArrayList<>();
    private final List<StringBuilder> logs = new ArrayList<>();

    private MeshLab(String bridge, String net, Path work, InternalNetwork lab, String image, String snapshot,
            BootArtifacts.Blob kernel) {
        this.bridge = bridge;
        this.net = net;
        this.work = work;
        this.lab = lab;
        this.image = image;
        this.snapshot = snapshot;
        this.kernel = kernel;
    }

    /**
     * @param bridge the Docker bridge's name (unique per test class and run)
     * @param net the first three bytes of the /24, e.g. {@code 10.99.6}
     */
    static MeshLab create(String bridge, String net, Path work) throws Exception {
        Tiers.requireRoot();
        Tiers.requireTool("docker");
        Tiers.requireTool("iptables");
        Tiers.requireTool("ip");
        String image = AgentImage.build(Path.of("target/meshboot.jar").toAbsolutePath(), work);
        InternalNetwork lab = InternalNetwork.create(bridge, net + ".0/24", work);

        // The publisher's store: a signed snapshot and an artifact set standing in for kernel and initramfs.
        KeyPair key = KeyFiles.generate();
        SnapshotStore origin = SnapshotStore.open(work.resolve("origin"));
        String snapshot = new SnapshotBuilder(origin, Clock.systemUTC(), BuildListener.NONE).build(
                new SampleTree(4).create(work.resolve("rootfs")),
                SnapshotBuilder.Options.defaults("mesh").withChunkSize(16 << 10).withKey(key)).id();
        origin.trust(key.getPublic());
        byte[] bytes = new byte[2_000_000];
        new java.util.Random(9).nextBytes(bytes);
        ArtifactStore a = new ArtifactStore(origin.root());
        BootArtifacts.Blob kernel = a.put(bytes);
        a.commit(new BootArtifacts(snapshot, "6.1.0-test", Map.of("vmlinuz", kernel)));
        Processes.must(work, "chmod -R a+rX origin");
        return new MeshLab(bridge, net, work, lab, image, snapshot, kernel);
    }

    /** The MAC Docker gives the container at {@code net.host}. */
    String macOf(int host) {
        String[] b = net.split("\\.");
        return "02:42:%02x:%02x:%02x:%02x".formatted(Integer.parseInt(b[0]), Integer.parseInt(b[1]),
                Integer.parseInt(b[2]), host);
    }

    /** The Node documents of the agents' own machines (K may not exceed the nodes). */
    String memberNodes(int count) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < count; i++) {
            b.append("""
                    ---
                    kind: Node
                    name: m%d
                    spec: {mac: "%s", address: %s.%d, profile: compute}
                    """.formatted(i, macOf(10 + i), net, 10 + i));
        }
        return b.toString();
    }

    private String agentYaml(int i, boolean seed) {
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
                """.formatted(net, 10 + i, i);
    }

    /**
     * Agent {@code m<i>} at {@code net.(10+i)}, not started. Member 0 of a lab gets the documents to seed and the
     * publisher's store.
     */
    GenericContainer<?> agent(int i, String cluster, String secret, boolean seed) {
        StringBuilder log = new StringBuilder();
        logs.add(log);
        GenericContainer<?> c = new GenericContainer<>(image)
                .withNetwork(lab.network)
                .withCreateContainerCmdModifier(cmd -> cmd.withName("meshboot-test-" + bridge + "-m" + i)
                        .withIpv4Address(net + "." + (10 + i)))
                .withCopyToContainer(Transferable.of(cluster), "/etc/meshboot/cluster.yaml")
                .withCopyToContainer(Transferable.of(agentYaml(i, seed)), "/etc/meshboot/agent.yaml")
                .withCopyToContainer(Transferable.of(secret + "\n", 0600), "/etc/meshboot/cluster.secret")
                .withCommand("node", "--config", "/etc/meshboot/agent.yaml")
                .withLogConsumer((OutputFrame f) -> log.append(f.getUtf8String()))
                .waitingFor(Wait.forLogMessage(".*serving.*\\n", 1).withStartupTimeout(Duration.ofSeconds(120)));
        if (seed) {
            c.withCopyToContainer(MountableFile.forHostPath(work.resolve("origin")), "/var/lib/meshboot/store");
        }
        started.add(c);
        return c;
    }

    /**
     * A long-lived machine at {@code net.host} that runs DHCP clients on demand; NET_ADMIN lets it change its MAC,
     * so one container can stand in for several unknown machines.
     */
    GenericContainer<?> client(int host) {
        GenericContainer<?> c = new GenericContainer<>(image)
                .withNetwork(lab.network)
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withName("meshboot-test-" + bridge + "-c" + host).withIpv4Address(net + "." + host)
                            .withEntrypoint("/bin/sh", "-c", "exec sleep 100000");
                    cmd.getHostConfig().withCapAdd(com.github.dockerjava.api.model.Capability.NET_ADMIN);
                });
        started.add(c);
        return c;
    }

    /**
     * One DHCP exchange by busybox udhcpc with {@code mac} (the container's interface takes it first), without
     * configuring the interface: the address leased, or null when no server answered within about three seconds.
     */
    static String lease(GenericContainer<?> client, String mac) throws Exception {
        Container.ExecResult r = client.execInContainer("/bin/sh", "-c",
                "busybox ip link set eth0 down && busybox ip link set eth0 address " + mac
                        + " && busybox ip link set eth0 up &&"
                        + " printf '#!/bin/sh\\n[ \"$1\" = bound ] && echo LEASE $ip\\nexit 0\\n' > /tmp/s &&"
                        + " chmod +x /tmp/s && udhcpc -i eth0 -n -q -t 3 -T 1 -s /tmp/s 2>&1");
        for (String line : r.getStdout().split("\n")) {
            if (line.startsWith("LEASE ")) {
                return line.substring(6).strip();
            }
        }
        return null;
    }

    static Container.ExecResult meshboot(GenericContainer<?> c, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/jre/bin/java", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", "-jar", "/app/meshboot.jar"));
        cmd.addAll(List.of(args));
        return c.execInContainer(cmd.toArray(String[]::new));
    }

    /** The member's {@code meshboot status --json} mesh section. */
    static JsonNode status(GenericContainer<?> c) throws Exception {
        Container.ExecResult r = meshboot(c, "status", "--json");
        assertEquals(0, r.getExitCode(), r.getStderr());
        return JSON.readTree(r.getStdout()).path("mesh");
    }

    /** The status, or a missing node while the member cannot say (starting, stopped). */
    static JsonNode statusOrMissing(GenericContainer<?> c) {
        try {
            return status(c);
        } catch (Exception | AssertionError e) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }

    /** The active boot servers a member sees, sorted. */
    static List<String> active(GenericContainer<?> c) {
        List<String> out = new ArrayList<>();
        statusOrMissing(c).path("active").forEach(a -> out.add(a.asText()));
        return out.stream().sorted().toList();
    }

    /** How many members a member sees in its view (0 when it cannot say). */
    static int viewSize(GenericContainer<?> c) {
        return statusOrMissing(c).path("members").size();
    }

    /** Whether the member holds the lab's snapshot whole and serves its boot artifacts. */
    boolean holds(GenericContainer<?> c) {
        boolean held = false;
        for (JsonNode h : statusOrMissing(c).path("held")) {
            held |= h.asText().equals(snapshot);
        }
        try {
            return held && c.execInContainer("wget", "-q", "-O", "-",
                    "http://127.0.0.1:8080/snapshots/" + snapshot + "/artifacts.json").getExitCode() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** The host-side end of a container's eth0 (its peer's ifindex is the container's iflink). */
    String hostVeth(GenericContainer<?> c) throws Exception {
        String index = c.execInContainer("cat", "/sys/class/net/eth0/iflink").getStdout().strip();
        String links = Processes.must(work, "ip -o link show").stdout();
        for (String line : links.split("\n")) {
            if (line.startsWith(index + ": ")) {
                String name = line.split(":")[1].strip();
                return name.contains("@") ? name.substring(0, name.indexOf('@')) : name;
            }
        }
        throw new IllegalStateException("no host link with index " + index + " for " + c.getContainerName());
    }

    /** Moves a container's host-side veth onto another bridge: its L2 segment changes, its interface does not. */
    void moveTo(GenericContainer<?> c, String toBridge) throws Exception {
        Processes.must(work, "ip link set " + hostVeth(c) + " master " + toBridge);
    }

    void await(String what, int seconds, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what + "\n" + String.join("\n----\n",
                        logs.stream().map(StringBuilder::toString).toList()));
            }
            Thread.sleep(300);
        }
    }

    @Override
    public void close() throws java.io.IOException {
        for (GenericContainer<?> c : started) {
            try {
                c.stop();
            } catch (RuntimeException e) {
                // the others still need stopping
            }
        }
        lab.close();
    }
}
