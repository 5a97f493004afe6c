package dev.meshboot.node.mesh;

import dev.meshboot.bootstrap.artifacts.ArtifactStore;
import dev.meshboot.clusterconfig.store.VersionedDocument;
import dev.meshboot.images.store.SnapshotStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Removes from this member's store the snapshots withdrawn from the catalog ({@code meshboot image withdraw}): a
 * withdrawal is a tombstone of the catalog entry, and once it is older than the grace (machines still booting it
 * finish first) and no Channel points at the snapshot, its manifest, signature, pending download and artifact index
 * go; the chunks follow at the next garbage collection ({@link ChunkCollector}), which keeps whatever another
 * snapshot still names. A snapshot that never was in the catalog (a local build) is never touched here.
 */
public final class SnapshotRetirement {
    private static final System.Logger LOG = System.getLogger(SnapshotRetirement.class.getName());

    private final SnapshotStore store;
    private final ArtifactStore artifacts;
    private final PendingSnapshots pending;
    private final Supplier<Collection<VersionedDocument>> documents;
    private final Supplier<Set<String>> bootSnapshots;
    private final Duration grace;
    private final Clock clock;

    /** @param documents every version in the store, tombstones included ({@code ReplicatedStore::versions}) */
    public SnapshotRetirement(SnapshotStore store, Supplier<Collection<VersionedDocument>> documents,
            Supplier<Set<String>> bootSnapshots, Duration grace, Clock clock) throws IOException {
        this.store = store;
        this.artifacts = new ArtifactStore(store.root());
        this.pending = new PendingSnapshots(store);
        this.documents = documents;
        this.bootSnapshots = bootSnapshots;
        this.grace = grace;
        this.clock = clock;
    }

    /** The withdrawn snapshots this member held and removed now. */
    public List<String> retire() throws IOException {
        long now = clock.millis();
        Set<String> booted = bootSnapshots.get();
        List<String> held = store.ids();
        List<String> removed = new ArrayList<>();
        for (VersionedDocument v : documents.get()) {
            String id = v.key().name();
            if (!v.key().kind().equals(Catalog.KIND) || !v.tombstone() || booted.contains(id)
                    || now - v.version().millis() < grace.toMillis()) {
                continue;
            }
            boolean had = held.contains(id) || pending.manifest(id).isPresent();
            if (had) {
                store.remove(id);
                pending.remove(id);
                artifacts.remove(id);
                removed.add(id);
                LOG.log(System.Logger.Level.INFO, "snapshot {0} was withdrawn from the catalog: removed from this"
                        + " store; its chunks go at the next garbage collection", id.substring(0, 12));
            }
        }
        return removed;
    }
}
