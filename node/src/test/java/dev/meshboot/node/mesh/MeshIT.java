package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.bootstrap.artifacts.ArtifactStore;
import dev.meshboot.bootstrap.artifacts.BootArtifacts;
import dev.meshboot.images.build.BuildListener;
import dev.meshboot.images.build.SnapshotBuilder;
import dev.meshboot.images.read.SnapshotReader;
import dev.meshboot.images.sample.SampleTree;
import dev.meshboot.images.signing.KeyFiles;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.node.agent.Agent;
import dev.meshboot.node.agent.ClusterAgents;
import dev.meshboot.node.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Three agents in one JVM, one cluster over TCP on 127.0.0.1, each with its own store and HTTP server: a snapshot
 * published on one (`meshboot image publish`) is pulled by the other two from their peers, chunk by chunk, verified,
 * with its boot artifacts; the channel then points every node at it, and `meshboot status` shows it held everywhere.
 */
class MeshIT {
    @TempDir
    Path dir;

    private ClusterAgents cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String cli(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int rc = cli.execute(args);
        assertEquals(0, rc, String.join(" ", args) + ": " + out);
        return out.toString();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aSnapshotPublishedOnOneMember_isPulledByEveryMember_withItsBootArtifacts() throws Exception {
        // The origin's store: a signed snapshot of a sample tree, and an artifact set standing in for a kernel.
        KeyPair key = KeyFiles.generate();
        SnapshotStore origin = SnapshotStore.open(dir.resolve("a0/snapshots"));
        String id = new SnapshotBuilder(origin, Clock.systemUTC(), BuildListener.NONE).build(
                new SampleTree(3).create(dir.resolve("rootfs")),
                SnapshotBuilder.Options.defaults("mesh").withChunkSize(16 << 10).withKey(key)).id();
        origin.trust(key.getPublic());
        byte[] kernel = new byte[700_000];
        new java.util.Random(1).nextBytes(kernel);
        ArtifactStore originArtifacts = new ArtifactStore(origin.root());
        BootArtifacts.Blob blob = originArtifacts.put(kernel);
        originArtifacts.commit(new BootArtifacts(id, "6.1.0-test", Map.of("vmlinuz", blob)));

        cluster = new ClusterAgents(dir, """
                kind: Cluster
                name: lab
                spec: {networks: [{name: prov, subnet: 10.99.0.0/24}]}
                ---
                kind: Profile
                name: compute
                spec: {os: debian}
                ---
                kind: Node
                name: n1
                spec: {mac: "52:54:00:00:00:01", address: 10.99.0.11, profile: compute}
                """);
        List<Integer> http = ClusterAgents.freePorts(3, false);
        List<Agent> agents = cluster.start("mesh-test", 3, i -> "{dhcp: 0, tftp: 0, http: %d}".formatted(http.get(i)))
                .agents;
        ClusterAgents.await("the seed reached every agent", 30,
                () -> agents.stream().allMatch(a -> a.cluster().node("n1").isPresent()));

        long t0 = System.nanoTime();
        cli("image", "publish", id, "--channel", "stable", "--socket", cluster.admin(0).toString());
        for (int i = 1; i < 3; i++) {
            SnapshotStore s = SnapshotStore.open(dir.resolve("a" + i + "/snapshots"));
            ArtifactStore a = new ArtifactStore(s.root());
            ClusterAgents.await("a" + i + " holds the snapshot and its artifacts", 60, () -> {
                try {
                    return s.ids().contains(id) && a.of(id).isPresent();
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            new SnapshotReader(s, s.load(id, false, List.of(key.getPublic()))).verify();
            assertArrayEquals(kernel, Files.readAllBytes(a.blobPath(blob.sha256())));
        }
        System.out.printf("FIGURE publish to held-and-verified on both other members: %.2f s%n",
                (System.nanoTime() - t0) / 1e9);
        ClusterAgents.await("every agent serves the channel", 30, () -> agents.stream()
                .allMatch(ag -> ag.cluster().channel("stable").filter(id::equals).isPresent()));
        String status = cli("status", "--socket", cluster.admin(2).toString());
        assertTrue(status.contains("catalog: 1 snapshot(s), 1 held here"), status);
        assertTrue(status.contains("a0") && status.contains("a1") && status.contains("holds 1 snapshot(s)"), status);

        // Withdrawal: refused while the channel points at it; then the catalog entry goes on every member.
        StringWriter refusal = new StringWriter();
        CommandLine withdraw = Main.commandLine();
        withdraw.setErr(new PrintWriter(refusal, true));
        assertEquals(1, withdraw.execute("image", "withdraw", id, "--socket", cluster.admin(1).toString()));
        assertTrue(refusal.toString().contains("still the target of channel(s) [stable]"), refusal.toString());
        Path moved = Files.writeString(dir.resolve("channel.yaml"), "kind: Channel\nname: stable\nspec: {snapshot: "
                + "\"" + "0".repeat(64) + "\"}\n");
        cli("config", "apply", moved.toString(), "--socket", cluster.admin(1).toString());
        cli("image", "withdraw", id, "--socket", cluster.admin(1).toString());
        ClusterAgents.await("the catalog is empty on every member", 30, () -> {
            for (int i = 0; i < 3; i++) {
                if (!cli("status", "--socket", cluster.admin(i).toString()).contains("catalog: 0 snapshot(s)")) {
                    return false;
                }
            }
            return true;
        });
    }
}
