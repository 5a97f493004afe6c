package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.clusterconfig.CanonicalDocument;
import dev.meshboot.clusterconfig.store.DocumentKey;
import dev.meshboot.clusterconfig.store.ReplicatedStore;
import dev.meshboot.images.build.BuildListener;
import dev.meshboot.images.build.SnapshotBuilder;
import dev.meshboot.images.sample.SampleTree;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.images.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Withdrawal: refused while a channel points at the snapshot; once withdrawn, each member removes it after the
 * grace, and never a snapshot that was not in the catalog.
 */
class SnapshotRetirementTest {
    @TempDir
    Path dir;

    private static CanonicalDocument doc(String kind, String name, String json) {
        return new CanonicalDocument(kind, name, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aWithdrawnSnapshot_isRemovedAfterTheGrace_aLocalBuildNever() throws Exception {
        SnapshotStore store = SnapshotStore.open(dir.resolve("store"));
        SnapshotBuilder b = new SnapshotBuilder(store, Clock.systemUTC(), BuildListener.NONE);
        String published = b.build(new SampleTree(1).create(dir.resolve("a")), SnapshotBuilder.Options.defaults("a")).id();
        String local = b.build(new SampleTree(2).create(dir.resolve("b")), SnapshotBuilder.Options.defaults("b")).id();
        Instant t0 = Instant.parse("2026-11-22T08:00:00Z");
        ReplicatedStore docs = ReplicatedStore.inMemory("m", Clock.fixed(t0, ZoneOffset.UTC));
        docs.write(doc(Catalog.KIND, published, "{\"kind\":\"Snapshot\",\"name\":\"" + published + "\"}"));
        docs.write(doc("Channel", "stable", "{\"kind\":\"Channel\",\"name\":\"stable\",\"spec\":{\"snapshot\":\""
                + published + "\"}}"));

        Catalog.WithdrawRefusedException pointed = assertThrows(Catalog.WithdrawRefusedException.class,
                () -> Catalog.withdrawal(docs.documents(), published));
        assertTrue(pointed.getMessage().contains("[stable]"), pointed.getMessage());
        assertThrows(Catalog.WithdrawRefusedException.class, () -> Catalog.withdrawal(docs.documents(), local),
                "a snapshot that is not in the catalog");

        docs.write(doc("Channel", "stable", "{\"kind\":\"Channel\",\"name\":\"stable\",\"spec\":{\"snapshot\":\""
                + local + "\"}}"));
        DocumentKey key = Catalog.withdrawal(docs.documents(), published);
        docs.delete(key);

        ManualClock moving = new ManualClock(t0.plusSeconds(60));
        SnapshotRetirement r = new SnapshotRetirement(store, docs::versions, () -> Set.of(local),
                Duration.ofMinutes(10), moving);
        assertEquals(List.of(), r.retire(), "removed within the grace");
        assertEquals(2, store.ids().size());
        moving.set(t0.plusSeconds(11 * 60));
        assertEquals(List.of(published), r.retire());
        assertEquals(List.of(local), store.ids(), "the local build must stay");
        assertEquals(List.of(), r.retire(), "once");
    }
}
