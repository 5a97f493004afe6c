package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import dev.meshboot.images.build.BuildListener;
import dev.meshboot.images.build.SnapshotBuilder;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.read.SnapshotReader;
import dev.meshboot.images.sample.SampleTree;
import dev.meshboot.images.store.ChunkStore;
import dev.meshboot.images.store.SnapshotStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Garbage collection of chunks on a real store: what goes, what stays, and when nothing may go. */
class ChunkCollectorTest {
    @TempDir
    Path dir;

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private SnapshotStore store;
    private String snapshot;
    private List<ChunkRef> chunks;

    @BeforeEach
    void store() throws Exception {
        store = SnapshotStore.open(dir.resolve("store"));
        snapshot = new SnapshotBuilder(store, Clock.systemUTC(), BuildListener.NONE).build(
                new SampleTree(2).create(dir.resolve("rootfs")),
                SnapshotBuilder.Options.defaults("t").withChunkSize(16 << 10)).id();
        chunks = PendingSnapshots.chunks(store.load(snapshot, true, List.of()).manifest());
        ageEverything(Duration.ofDays(2));
    }

    private void ageEverything(Duration by) throws Exception {
        for (String id : store.chunks().ids()) {
            Files.setLastModifiedTime(store.chunks().pathOf(id), FileTime.from(NOW.minus(by)));
        }
    }

    /** A chunk no snapshot names, as a failed build leaves. */
    private String stray(String text, Duration age) throws Exception {
        byte[] content = text.getBytes(StandardCharsets.US_ASCII);
        String id = ChunkStore.idOf(content);
        store.chunks().put(id, Zstd.compress(content, 3));
        Files.setLastModifiedTime(store.chunks().pathOf(id), FileTime.from(NOW.minus(age)));
        return id;
    }

    private ChunkCollector collector() {
        return new ChunkCollector(store, Duration.ofHours(1), clock);
    }

    @Test
    void anOldUnreferencedChunk_isDeleted_andEveryChunkOfTheSnapshotStays() throws Exception {
        String old = stray("left by a failed build", Duration.ofHours(3));

        ChunkCollector.Result r = collector().collect();

        assertEquals(1, r.deleted());
        assertEquals(Optional.empty(), r.skipped());
        assertFalse(store.chunks().contains(old));
        assertEquals(chunks.stream().map(ChunkRef::id).sorted().toList(), store.chunks().ids());
        new SnapshotReader(store, store.load(snapshot, true, List.of())).verify();
    }

    @Test
    void aYoungUnreferencedChunk_isKept_forTheBuildOrFetchAboutToNameIt() throws Exception {
        String young = stray("just stored by a running build", Duration.ofMinutes(5));

        ChunkCollector.Result r = collector().collect();

        assertEquals(0, r.deleted());
        assertEquals(1, r.young());
        assertTrue(store.chunks().contains(young));
    }

    @Test
    void theChunksOfAPendingSnapshot_areKept_thoughItIsNotCommitted() throws Exception {
        byte[] manifest = Files.readAllBytes(store.root().resolve("snapshots").resolve(snapshot + ".json"));
        Files.delete(store.root().resolve("snapshots").resolve(snapshot + ".json"));
        new PendingSnapshots(store).put(snapshot, manifest, Optional.empty());

        ChunkCollector.Result r = collector().collect();

        assertEquals(0, r.deleted());
        assertEquals(chunks.size(), store.chunks().ids().size());
    }

    @Test
    void anUnreadableManifest_stopsTheCollection_beforeAnythingIsDeleted() throws Exception {
        String old = stray("would be garbage", Duration.ofDays(1));
        Path manifest = store.root().resolve("snapshots").resolve(snapshot + ".json");
        Files.writeString(manifest, "{\"altered\": true}");

        ChunkCollector.Result r = collector().collect();

        assertTrue(r.skipped().isPresent(), "collected with a manifest it could not read");
        assertEquals(0, r.deleted());
        assertTrue(store.chunks().contains(old));
        assertEquals(chunks.size() + 1, store.chunks().ids().size());
    }

    @Test
    void aBuildReusingAnOldUnreferencedChunk_makesItYoung_soACollectionSparesIt() throws Exception {
        // Every chunk of the snapshot becomes unreferenced, then a new build of the same tree reuses them all.
        Files.delete(store.root().resolve("snapshots").resolve(snapshot + ".json"));
        new SnapshotBuilder(store, clock, BuildListener.NONE).build(dir.resolve("rootfs"),
                SnapshotBuilder.Options.defaults("again").withChunkSize(16 << 10)
                        .withParent(Optional.empty()));
        Files.delete(store.root().resolve("snapshots").resolve(store.ids().getFirst() + ".json")); // not yet written

        ChunkCollector.Result r = collector().collect();

        assertEquals(0, r.deleted());
        assertEquals(chunks.size(), r.young());
    }
}
