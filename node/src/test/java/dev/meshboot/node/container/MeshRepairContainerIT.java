package dev.meshboot.node.container;

import static dev.meshboot.node.container.MeshLab.JSON;
import static dev.meshboot.node.container.MeshLab.meshboot;
import static dev.meshboot.node.container.MeshLab.status;
import static dev.meshboot.node.container.MeshLab.viewSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshboot.images.manifest.ArchiveManifest;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.store.ChunkStore;
import dev.meshboot.images.store.SnapshotStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;

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

    @TempDir
    static Path work;

    private static MeshLab lab;
    private static final List<GenericContainer<?>> members = new ArrayList<>();
    private static SnapshotStore origin;
    private static String snapshot;
    private static List<ChunkRef> chunks;

    @BeforeAll
    static void mesh() throws Exception {
        lab = MeshLab.create(BRIDGE, NET, work);
        snapshot = lab.snapshot;
        origin = SnapshotStore.open(work.resolve("origin"));
        chunks = new ArrayList<>();
        for (ArchiveManifest a : origin.load(snapshot, false, List.of()).manifest().archives()) {
            chunks.addAll(a.chunks());
        }
        String cluster = """
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
                """.formatted(NET, NET) + lab.memberNodes(3);
        for (int i = 0; i < 3; i++) {
            members.add(lab.agent(i, cluster, MeshLab.SECRET, i == 0));
        }
        members.forEach(GenericContainer::start);
    }

    @AfterAll
    static void down() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    private static Container.ExecResult sh(GenericContainer<?> c, String script) throws Exception {
        return c.execInContainer("/bin/sh", "-c", script);
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
        lab.await("three members in one view", 90, () -> viewSize(members.get(0)) == 3);
        Container.ExecResult pub = meshboot(members.get(0), "image", "publish", snapshot);
        assertEquals(0, pub.getExitCode(), pub.getStdout() + pub.getStderr());
        for (GenericContainer<?> m : members) {
            lab.await(m.getContainerName() + " holds the snapshot", 120, () -> lab.holds(m));
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
        lab.await("the chunk found damaged while serving is repaired", 60, () -> {
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
