package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.meshboot.images.build.BuildListener;
import dev.meshboot.images.build.SnapshotBuilder;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.read.SnapshotReader;
import dev.meshboot.images.sample.SampleTree;
import dev.meshboot.images.signing.KeyFiles;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.node.agent.ClusterAgents;
import dev.meshboot.node.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Two agents in one JVM: a chunk damaged on one member's disk is never served by it, and comes back from the other
 * member, both when the HTTP server finds it (a rewritten file) and when only the scrub can (bit rot that leaves the
 * file's size and time alone), through {@code meshboot image scrub}; {@code meshboot status --json} counts both.
 */
class ChunkRepairIT {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private ClusterAgents cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private record Run(int rc, String out) {}

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        return new Run(cli.execute(args), out.toString());
    }

    /** Flips bits in the middle of a file, keeping its size and modification time, as a failing disk does. */
    private static void rot(Path f) throws Exception {
        FileTime t = Files.getLastModifiedTime(f);
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 0x10;
        Files.write(f, b);
        Files.setLastModifiedTime(f, t);
    }

    @Test
    @Timeout(180)
    void aDamagedChunk_isNeverServed_andIsRepairedFromThePeer_onServingAndByTheScrub() throws Exception {
        KeyPair key = KeyFiles.generate();
        SnapshotStore origin = SnapshotStore.open(dir.resolve("a0/snapshots"));
        String id = new SnapshotBuilder(origin, Clock.systemUTC(), BuildListener.NONE).build(
                new SampleTree(6).create(dir.resolve("rootfs")),
                SnapshotBuilder.Options.defaults("repair").withChunkSize(16 << 10).withKey(key)).id();
        origin.trust(key.getPublic());
        List<ChunkRef> chunks = PendingSnapshots.chunks(origin.load(id, false, List.of()).manifest());
        cluster = new ClusterAgents(dir, """
                kind: Cluster
                name: lab
                spec: {networks: [{name: prov, subnet: 10.99.0.0/24}]}
                """);
        List<Integer> http = ClusterAgents.freePorts(2, false);
        cluster.start("repair-test", 2, i -> "{dhcp: 0, tftp: 0, http: %d}".formatted(http.get(i)));
        Run pub = cli("image", "publish", id, "--socket", cluster.admin(0).toString());
        assertEquals(0, pub.rc(), pub.out());
        SnapshotStore member = SnapshotStore.open(dir.resolve("a1/snapshots"));
        ClusterAgents.await("a1 holds the snapshot", 60, () -> {
            try {
                return member.ids().contains(id);
            } catch (java.io.IOException e) {
                return false;
            }
        });
        HttpClient client = HttpClient.newHttpClient();

        // 1. A chunk file rewritten with damage: the server checks it before serving, answers 404, and it is repaired.
        ChunkRef rewritten = chunks.get(2);
        Path file = member.chunks().pathOf(rewritten.id());
        byte[] damaged = Files.readAllBytes(file);
        damaged[damaged.length / 2] ^= 0x01;
        Files.write(file, damaged);
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 2000));
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.get(1)
                + "/chunks/" + rewritten.id())).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(404, r.statusCode(), "served a damaged chunk");
        ClusterAgents.await("the chunk found damaged while serving is repaired", 30,
                () -> member.chunks().contains(rewritten.id()));
        assertArrayEquals(origin.chunks().readCompressed(rewritten.id()), member.chunks().readCompressed(rewritten.id()));

        // 2. Bit rot the server cannot see: the scrub finds it and repairs it.
        ChunkRef rotten = chunks.get(4);
        rot(member.chunks().pathOf(rotten.id()));
        Run scrub = cli("image", "scrub", "--json", "--socket", cluster.admin(1).toString());
        assertEquals(0, scrub.rc(), scrub.out());
        JsonNode report = JSON.readTree(scrub.out());
        assertEquals(chunks.size(), report.path("checked").asInt(), scrub.out());
        assertEquals(1, report.path("corrupt").asInt(), scrub.out());
        assertEquals(1, report.path("repaired").asInt(), scrub.out());
        new SnapshotReader(member, member.load(id, false, List.of(key.getPublic()))).verify();
        assertTrue(Files.isRegularFile(member.root().resolve("quarantine").resolve(rotten.id() + ".zst")));

        Run status = cli("status", "--json", "--socket", cluster.admin(1).toString());
        JsonNode totals = JSON.readTree(status.out()).path("mesh").path("scrub").path("totals");
        assertEquals(1, totals.path("passes").asInt(), status.out());
        assertEquals(1, totals.path("repaired").asInt(), status.out());
        assertEquals(1, totals.path("foundWhileServing").asInt(), status.out());
        assertEquals(1, totals.path("repairedAfterServing").asInt(), status.out());

        Run gc = cli("image", "gc", "--socket", cluster.admin(1).toString());
        assertEquals(0, gc.rc(), gc.out());
        assertEquals(chunks.size(), member.chunks().ids().size(), "gc deleted a chunk the snapshot names");
    }
}
