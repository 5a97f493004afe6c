package dev.meshboot.node.mesh;

import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.store.SnapshotStore;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which of this member's complete snapshots reference a chunk: what a chunk request must be matched with before it
 * can be redirected to a peer (peers advertise whole snapshots, not chunks). Built from the manifests on first use
 * and again whenever the set of held snapshots changes; asked only when this member is busy.
 */
public final class ChunkOwners {
    private final SnapshotStore store;
    private List<String> indexed = List.of();
    private Map<String, Set<String>> owners = Map.of();

    public ChunkOwners(SnapshotStore store) {
        this.store = store;
    }

    public synchronized Set<String> of(String chunk) {
        try {
            List<String> ids = store.ids();
            if (!ids.equals(indexed)) {
                Map<String, Set<String>> next = new HashMap<>();
                for (String id : ids) {
                    // insecure: the index only routes requests; it trusts nothing it reads
                    for (ChunkRef c : PendingSnapshots.chunks(store.load(id, true, List.of()).manifest())) {
                        next.computeIfAbsent(c.id(), k -> new HashSet<>()).add(id);
                    }
                }
                owners = next;
                indexed = List.copyOf(ids);
            }
        } catch (IOException | RuntimeException e) {
            return Set.of(); // not redirected: served here, as without this index
        }
        return owners.getOrDefault(chunk, Set.of());
    }
}
