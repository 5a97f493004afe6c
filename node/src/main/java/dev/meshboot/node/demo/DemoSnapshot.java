package dev.meshboot.node.demo;

import dev.meshboot.bootstrap.artifacts.ArtifactStore;
import dev.meshboot.bootstrap.artifacts.BootArtifacts;
import dev.meshboot.images.build.BuildListener;
import dev.meshboot.images.build.SnapshotBuilder;
import dev.meshboot.images.manifest.ArchiveManifest;
import dev.meshboot.images.sample.SampleTree;
import dev.meshboot.images.signing.KeyFiles;
import dev.meshboot.images.store.SnapshotStore;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The snapshot the demo boots: a generated sample tree (the same one the image tests use), built and signed into
 * the first agent's store with a fresh key, and given boot artifacts there exactly as {@code meshboot artifacts
 * build} stores them, so the mesh replicates both the way it replicates real ones.
 */
final class DemoSnapshot {
    /** Small chunks, so a small tree still makes enough of them for replication and fail-over to show. */
    static final int CHUNK_SIZE = 128 << 10;

    /** What was built: its id, its manifest's core archive, and the boot files stored with it. */
    record Built(String id, ArchiveManifest core, List<BootFiles.File> bootFiles) {
        String shortId() {
            return id.substring(0, 12);
        }
    }

    private DemoSnapshot() {}

    static Built build(Path work, Path store, List<BootFiles.File> bootFiles, Clock clock) throws IOException {
        Path rootfs = new SampleTree(42).create(work.resolve("rootfs"));
        KeyPair key = KeyFiles.generate();
        SnapshotStore s = SnapshotStore.open(store);
        s.trust(key.getPublic());
        SnapshotBuilder.Result r = new SnapshotBuilder(s, clock, BuildListener.NONE).build(rootfs,
                SnapshotBuilder.Options.defaults("demo").withKey(key).withChunkSize(CHUNK_SIZE));
        ArtifactStore artifacts = new ArtifactStore(s.root());
        Map<String, BootArtifacts.Blob> files = new LinkedHashMap<>();
        for (BootFiles.File f : bootFiles) {
            files.put(f.name(), artifacts.put(f.bytes()));
        }
        artifacts.commit(new BootArtifacts(r.id(), "demo", files));
        return new Built(r.id(), r.manifest().archive("core").orElseThrow(), bootFiles);
    }
}
