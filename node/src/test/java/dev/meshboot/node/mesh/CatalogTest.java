package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.clusterconfig.CanonicalDocument;
import dev.meshboot.clusterconfig.store.ReplicatedStore;
import dev.meshboot.images.build.BuildListener;
import dev.meshboot.images.build.SnapshotBuilder;
import dev.meshboot.images.sample.SampleTree;
import dev.meshboot.images.signing.KeyFiles;
import dev.meshboot.images.store.SnapshotStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTest {
    @TempDir
    Path dir;

    private String build(SnapshotStore store, Optional<KeyPair> key) throws Exception {
        SnapshotBuilder.Options o = SnapshotBuilder.Options.defaults("c").withChunkSize(64 << 10);
        return new SnapshotBuilder(store, Clock.systemUTC(), BuildListener.NONE)
                .build(new SampleTree(2).create(dir.resolve("rootfs-" + System.nanoTime())),
                        key.map(o::withKey).orElse(o)).id();
    }

    @Test
    void aTrustedSnapshot_becomesACatalogEntryAndAChannel_whichReadBack() throws Exception {
        KeyPair key = KeyFiles.generate();
        SnapshotStore store = SnapshotStore.open(dir.resolve("store"));
        String id = build(store, Optional.of(key));
        store.trust(key.getPublic());
        List<CanonicalDocument> docs = Catalog.publication(store, id, Optional.of("stable"));
        assertEquals(List.of("Snapshot/" + id, "Channel/stable"), docs.stream().map(d -> d.kind() + "/" + d.name()).toList());
        ReplicatedStore config = ReplicatedStore.inMemory("m", Clock.systemUTC());
        for (CanonicalDocument d : docs) {
            config.write(d);
        }
        List<SnapshotSync.Entry> entries = Catalog.entries(config.documents());
        assertEquals(1, entries.size());
        assertArrayEquals(Files.readAllBytes(store.root().resolve("snapshots/" + id + ".json")), entries.getFirst().manifest());
    }

    @Test
    void unsignedUntrustedOrMissingSnapshots_areRefused() throws Exception {
        SnapshotStore store = SnapshotStore.open(dir.resolve("store"));
        String unsigned = build(store, Optional.empty());
        Catalog.PublishRefusedException e = assertThrows(Catalog.PublishRefusedException.class,
                () -> Catalog.publication(store, unsigned, Optional.empty()));
        assertTrue(e.getMessage().contains("unsigned"), e.getMessage());

        String foreign = build(store, Optional.of(KeyFiles.generate()));
        assertThrows(Catalog.PublishRefusedException.class, () -> Catalog.publication(store, foreign, Optional.empty()));

        e = assertThrows(Catalog.PublishRefusedException.class,
                () -> Catalog.publication(store, "ab".repeat(32), Optional.empty()));
        assertTrue(e.getMessage().contains("not complete in this agent's store"), e.getMessage());
    }
}
