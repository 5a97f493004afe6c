package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshboot.images.build.BuildListener;
import dev.meshboot.images.build.SnapshotBuilder;
import dev.meshboot.images.sample.SampleTree;
import dev.meshboot.images.store.SnapshotStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WholeSnapshotsTest {
    @TempDir
    Path dir;

    @Test
    void aSnapshotWithAChunkMissing_isNotWhole_untilTheChunkIsBack() throws Exception {
        SnapshotStore store = SnapshotStore.open(dir.resolve("store"));
        String id = new SnapshotBuilder(store, Clock.systemUTC(), BuildListener.NONE).build(
                new SampleTree(2).create(dir.resolve("rootfs")),
                SnapshotBuilder.Options.defaults("w").withChunkSize(16 << 10)).id();
        WholeSnapshots whole = new WholeSnapshots(store, Clock.systemUTC(), Duration.ZERO);
        assertEquals(Set.of(id), whole.ids());

        String chunk = PendingSnapshots.chunks(store.load(id, true, List.of()).manifest()).getFirst().id();
        Path file = store.chunks().pathOf(chunk);
        Path aside = dir.resolve("aside");
        Files.move(file, aside); // what quarantine does
        assertEquals(Set.of(), whole.ids(), "advertised whole without one of its chunks");
        Files.move(aside, file);
        assertEquals(Set.of(id), whole.ids());
    }
}
