package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshboot.images.build.BuildListener;
import dev.meshboot.images.build.SnapshotBuilder;
import dev.meshboot.images.manifest.ChunkRef;
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

class PendingSnapshotsTest {
    @TempDir
    Path dir;

    @Test
    void held_followsTheChunksAsTheyArrive_andEndsWithThePendingManifest() throws Exception {
        KeyPair key = KeyFiles.generate();
        SnapshotStore origin = SnapshotStore.open(dir.resolve("origin"));
        String id = new SnapshotBuilder(origin, Clock.systemUTC(), BuildListener.NONE).build(
                new SampleTree(5).create(dir.resolve("rootfs")),
                SnapshotBuilder.Options.defaults("t").withChunkSize(16 << 10).withKey(key)).id();
        List<ChunkRef> chunks = PendingSnapshots.chunks(origin.load(id, false, List.of(key.getPublic())).manifest());
        byte[] manifest = Files.readAllBytes(origin.root().resolve("snapshots").resolve(id + ".json"));
        SnapshotStore member = SnapshotStore.open(dir.resolve("member"));
        PendingSnapshots pending = new PendingSnapshots(member);

        assertEquals(Optional.empty(), pending.held(id), "not known yet");
        pending.put(id, manifest, Optional.empty());
        assertEquals(Optional.of("0".repeat(chunks.size())), pending.held(id));
        // Asked again after a chunk arrives: the answer is read afresh, not remembered.
        member.chunks().put(chunks.get(1).id(), origin.chunks().readCompressed(chunks.get(1).id()));
        assertEquals(Optional.of("01" + "0".repeat(chunks.size() - 2)), pending.held(id));

        pending.remove(id);
        assertEquals(Optional.empty(), pending.held(id), "a snapshot no longer on disk is not answered");
        assertEquals(Optional.empty(), pending.held("not-an-id"));
    }
}
