package dev.meshboot.node.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.meshboot.images.build.BuildListener;
import dev.meshboot.images.build.SnapshotBuilder;
import dev.meshboot.images.manifest.ArchiveManifest;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.sample.SampleTree;
import dev.meshboot.images.signing.KeyFiles;
import dev.meshboot.images.store.ChunkStore;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.images.testing.Processes;
import dev.meshboot.images.testing.Tiers;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
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
 * Chunk repair across hosts: three agent containers (built FROM scratch, as in {@link MeshContainerIT}) on their own
 * internal Docker network hold a published snapshot; then chunk files on one member's disk are damaged with
 * {@code dd}:
 * <ol>
 *   <li>one is asked for over HTTP at once: the member never serves the damaged bytes (404 or the right ones), and
 *       the chunk is repaired from a peer without anyone asking;
 *   <li>another is damaged with its modification time kept (bit rot): {@code meshboot image scrub} finds it,
 *       quarantines it and repairs it from a peer, and {@code meshboot status --json} counts it.
 * </ol>
 */
@Timeout(300)
class MeshRepairContainerIT {
    private static final String BRIDGE = "mbr" + ProcessHandle.current().pid() % 100000;
    private static final String NET = "10.99.7";
    private static final String STORE = "/var/lib/meshboot/store";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path work;

    private static InternalNetwork lab;
    private static Network network;
    private static String image;
    private static final List<GenericContainer<?>> members = new ArrayList<>();
    private static final List<StringBuilder> logs = new ArrayList<>();
    private static SnapshotStore origin;
    private static String snapshot;
    private static List<ChunkRef> chunks;

    private static final String CLUSTER = """
            kind: Cluster
            name: lab
            spec:
              bootServers: 1
              networks:
                - {name: prov, subnet: %s.0/24, gateway: %s.1}
            ---
            kind: Profile
            name: compute
            spec: {os: debian}
            ---
            kind: Node
            name: m0
            spec: {mac: "02:42:0a:63:07:0a", address: %s.10, profile: compute}
            """.formatted(NET, NET, NET);

    private static String agentYaml(int i, boolean seed) {
        return (seed ? "documents: [/etc/meshboot/cluster.yaml]\n" : "") + """
                interfaces:
                  - {device: eth0, network: prov, address: %s.%d}
                ports: {dhcp: 0, tftp: 0, http: 8080}
                tftpRoot: /srv/meshboot/tftp
                bootDir: /srv/meshboot/boot
                store: %s
                leases: /var/lib/meshboot/leases.json
                installs: /var/lib/meshboot/installs.json
                configStore: /var/lib/meshboot/config
                cluster:
                  name: repair
                  member: m%d
                  secret: /etc/meshboot/cluster.secret
                  transport: udp
                  multicast: {address: 239.7.7.7, port: 45577}
                """.formatted(NET, 10 + i, STORE, i);
    }

    @BeforeAll
    static void mesh() throws Exception {
        Tiers.requireRoot();
        Tiers.requireTool("docker");
        Tiers.requireTool("iptables");
        image = AgentImage.build(Path.of("target/meshboot.jar").toAbsolutePath(), work);
        lab = InternalNetwork.create(BRIDGE, NET + ".0/24", work);
        network = lab.network;

        KeyPair key = KeyFiles.generate();
        origin = SnapshotStore.open(work.resolve("origin"));
        snapshot = new SnapshotBuilder(origin, Clock.systemUTC(), BuildListener.NONE).build(
                new SampleTree(4).create(work.resolve("rootfs")),
                SnapshotBuilder.Options.defaults("repair").withChunkSize(16 << 10).withKey(key)).id();
        origin.trust(key.getPublic());
        chunks = new ArrayList<>();
        for (ArchiveManifest a : origin.load(snapshot, false, List.of()).manifest().archives()) {
            chunks.addAll(a.chunks());
        }
        Processes.must(work, "chmod -R a+rX origin");

        for (int i = 0; i < 3; i++) {
            members.add(agent(i, i == 0));
        }
        for (GenericContainer<?> m : members) {
            m.start();
        }
    }

    private static GenericContainer<?> agent(int i, boolean seed) {
        StringBuilder log = new StringBuilder();
        logs.add(log);
        GenericContainer<?> c = new GenericContainer<>(image)
                .withNetwork(network)
                .withCreateContainerCmdModifier(cmd -> cmd.withName("meshboot-test-" + BRIDGE + "-m" + i)
                        .withIpv4Address(NET + "." + (10 + i)))
                .withCopyToContainer(Transferable.of(CLUSTER), "/etc/meshboot/cluster.yaml")
                .withCopyToContainer(Transferable.of(agentYaml(i, seed)), "/etc/meshboot/agent.yaml")
                .withCopyToContainer(Transferable.of("the repair test's secret, 32 bytes or more\n", 0600),
                        "/etc/meshboot/cluster.secret")
                .withCommand("node", "--config", "/etc/meshboot/agent.yaml")
                .withLogConsumer((OutputFrame f) -> log.append(f.getUtf8String()))
                .waitingFor(Wait.forLogMessage(".*serving.*\\n", 1).withStartupTimeout(Duration.ofSeconds(120)));
        if (seed) {
            c.withCopyToContainer(MountableFile.forHostPath(work.resolve("origin")), STORE);
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

    private static Container.ExecResult sh(GenericContainer<?> c, String script) throws Exception {
        return c.execInContainer("/bin/sh", "-c", script);
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
            for (JsonNode h : status(c).path("held")) {
                if (h.asText().equals(snapshot)) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    private static String file(ChunkRef c) {
        return STORE + "/chunks/" + c.id().substring(0, 2) + "/" + c.id() + ".zst";
    }

    /** The SHA-256 of the stored (compressed) chunk, as every member holds it. */
    private static String good(ChunkRef c) throws Exception {
        return HexFormat.of().formatHex(ChunkStore.sha256().digest(origin.chunks().readCompressed(c.id())));
    }

    /** The SHA-256 of the chunk's file in the container; empty when it is not there. */
    private static String onDisk(GenericContainer<?> m, ChunkRef c) {
        try {
            Container.ExecResult r = sh(m, "sha256sum " + file(c) + " 2>/dev/null | cut -c1-64");
            return r.getStdout().strip();
        } catch (Exception e) {
            return "";
        }
    }

    /** Overwrites 16 bytes in the middle of the chunk's file, in place; with {@code keepTime}, as bit rot would. */
    private static void damage(GenericContainer<?> m, ChunkRef c, boolean keepTime) throws Exception {
        String f = file(c);
        Container.ExecResult r = sh(m, (keepTime ? "touch -r " + f + " /tmp/time && " : "")
                + "printf 'DAMAGED-BY-A-TEST' | dd of=" + f + " bs=1 seek=" + c.csize() / 2 + " conv=notrunc"
                + " 2>/dev/null" + (keepTime ? " && touch -r /tmp/time " + f : ""));
        assertEquals(0, r.getExitCode(), r.getStderr());
    }

    @Test
    void aChunkDamagedOnOneMembersDisk_isNeverServed_andIsRepairedFromAPeer_whenServedAndByTheScrub()
            throws Exception {
        await("three members in one view", 90, () -> {
            try {
                return status(members.get(0)).path("members").size() == 3;
            } catch (Exception e) {
                return false;
            }
        });
        Container.ExecResult pub = meshboot(members.get(0), "image", "publish", snapshot);
        assertEquals(0, pub.getExitCode(), pub.getStdout() + pub.getStderr());
        for (GenericContainer<?> m : members) {
            await(m.getContainerName() + " holds the snapshot", 120, () -> holds(m));
        }
        GenericContainer<?> victim = members.get(2);

        // 1. Damaged, then asked for at once over HTTP: never the damaged bytes; repaired without being asked.
        ChunkRef served = chunks.get(1);
        damage(victim, served, false);
        String damaged = onDisk(victim, served);
        assertNotEquals(good(served), damaged, "the damage did not take");
        long t0 = System.nanoTime();
        Container.ExecResult get = sh(victim, "wget -q -O /tmp/got http://127.0.0.1:8080/chunks/" + served.id()
                + "; echo rc=$?; sha256sum /tmp/got 2>/dev/null | cut -c1-64");
        String out = get.getStdout();
        assertTrue(!out.contains(damaged), "the damaged chunk was served:\n" + out);
        assertTrue(!out.contains("rc=0") || out.contains(good(served)), "served something else:\n" + out);
        await("the chunk found damaged while serving is repaired", 60, () -> {
            try {
                return onDisk(victim, served).equals(good(served));
            } catch (Exception e) {
                return false;
            }
        });
        System.out.printf("FIGURE damaged chunk asked for to repaired from a peer: %.1f s%n",
                (System.nanoTime() - t0) / 1e9);
        Container.ExecResult again = sh(victim, "wget -q -O - http://127.0.0.1:8080/chunks/" + served.id()
                + " | sha256sum | cut -c1-64");
        assertEquals(good(served), again.getStdout().strip(), "the repaired chunk is not served");

        // 2. Bit rot the server cannot see (size and time kept): the scrub finds it and repairs it.
        ChunkRef rotten = chunks.get(3);
        damage(victim, rotten, true);
        long t1 = System.nanoTime();
        Container.ExecResult scrub = meshboot(victim, "image", "scrub", "--json");
        assertEquals(0, scrub.getExitCode(), scrub.getStdout() + scrub.getStderr());
        System.out.printf("FIGURE meshboot image scrub of %d chunks with one damaged: %.1f s%n", chunks.size(),
                (System.nanoTime() - t1) / 1e9);
        JsonNode report = JSON.readTree(scrub.getStdout());
        assertEquals(1, report.path("corrupt").asInt(), scrub.getStdout());
        assertEquals(1, report.path("repaired").asInt(), scrub.getStdout());
        assertEquals(0, report.path("unrepairable").asInt(), scrub.getStdout());
        assertEquals(good(rotten), onDisk(victim, rotten), "not repaired on disk");
        Container.ExecResult quarantined = sh(victim, "sha256sum " + STORE + "/quarantine/" + rotten.id()
                + ".zst | cut -c1-64");
        assertNotEquals(good(rotten), quarantined.getStdout().strip(), "the damaged copy was not kept aside");
        assertEquals(0, quarantined.getExitCode(), quarantined.getStderr());

        JsonNode totals = status(victim).path("scrub").path("totals");
        assertEquals(1, totals.path("repaired").asInt(), totals.toString());
        assertEquals(1, totals.path("foundWhileServing").asInt(), totals.toString());
        Container.ExecResult clean = meshboot(victim, "image", "scrub", "--json");
        assertEquals(0, JSON.readTree(clean.getStdout()).path("corrupt").asInt(), clean.getStdout());
    }
}
