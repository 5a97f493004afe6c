package dev.meshboot.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.images.build.BuildListener;
import dev.meshboot.images.build.SnapshotBuilder;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.sample.SampleTree;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.node.mesh.PendingSnapshots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the HTTP server does with a chunk the disk damaged: never serves it, moves it aside and reports it. */
class VerifiedChunkFilesTest {
    @TempDir
    Path dir;

    private SnapshotStore store;
    private String snapshot;
    private List<ChunkRef> chunks;
    private StoreBootContent content;
    private final List<String> reported = new CopyOnWriteArrayList<>();

    @BeforeEach
    void store() throws Exception {
        store = SnapshotStore.open(dir.resolve("store"));
        snapshot = new SnapshotBuilder(store, Clock.systemUTC(), BuildListener.NONE).build(
                new SampleTree(5).create(dir.resolve("rootfs")),
                SnapshotBuilder.Options.defaults("t").withChunkSize(16 << 10)).id();
        chunks = PendingSnapshots.chunks(store.load(snapshot, true, List.of()).manifest());
        content = new StoreBootContent(store, dir, mac -> Optional.empty());
        content.chunkFiles().onCorrupt(reported::add);
    }

    /** Overwrites bytes in the middle of a chunk file, keeping its size, as a failing disk might. */
    private void damage(ChunkRef c) throws Exception {
        Path f = store.chunks().pathOf(c.id());
        byte[] b = Files.readAllBytes(f);
        for (int i = b.length / 2; i < Math.min(b.length, b.length / 2 + 16); i++) {
            b[i] ^= (byte) 0xA5;
        }
        FileTime before = Files.getLastModifiedTime(f);
        Files.write(f, b);
        Files.setLastModifiedTime(f, FileTime.fromMillis(before.toMillis() + 1000));
    }

    @Test
    void aGoodChunk_isServed_fromItsFile() {
        ChunkRef c = chunks.getFirst();
        Optional<Representation> r = content.resolve("/chunks/" + c.id());
        assertTrue(r.isPresent());
        assertEquals(c.csize(), r.get().length());
        assertEquals(List.of(), reported);
    }

    @Test
    void aChunkDamagedAfterItWasServed_isVerifiedAgain_notServed_quarantined_andReported() throws Exception {
        ChunkRef c = chunks.get(1);
        assertTrue(content.resolve("/chunks/" + c.id()).isPresent());

        damage(c);

        assertEquals(Optional.empty(), content.resolve("/chunks/" + c.id()));
        assertEquals(List.of(c.id()), reported);
        assertFalse(store.chunks().contains(c.id()), "still in the store");
        assertTrue(Files.isRegularFile(store.root().resolve("quarantine").resolve(c.id() + ".zst")));
        assertEquals(Optional.empty(), content.resolve("/chunks/" + c.id()), "served after quarantine");
        assertEquals(1, reported.size(), "an absent chunk is not reported again");
    }

    @Test
    void anArchive_withAChunkFileOfTheWrongSize_isNotServed_andTheChunkIsReported() throws Exception {
        String archive = "/snapshots/" + snapshot + "/core";
        assertTrue(content.resolve(archive).isPresent());
        ChunkRef c = chunks.get(2);
        Path f = store.chunks().pathOf(c.id());
        Files.write(f, java.util.Arrays.copyOf(Files.readAllBytes(f), (int) c.csize() - 7));

        assertEquals(Optional.empty(), content.resolve(archive));
        assertEquals(List.of(c.id()), reported);
        assertFalse(store.chunks().contains(c.id()));
    }
}
