package dev.meshboot.node.mesh;

import dev.meshboot.images.SnapshotException;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.store.ChunkStore;
import dev.meshboot.images.store.SnapshotStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The chunks a store's snapshots name, read from the manifests on disk: those of committed snapshots
 * ({@code snapshots/ID.json}), which must all be present, and those of snapshots still being fetched
 * ({@code pending/ID.json}), which may not be yet. The scrub checks these chunks; garbage collection keeps them.
 *
 * @param committed every chunk of a committed snapshot, by id, in manifest order
 * @param pending every chunk of a pending snapshot that no committed one names
 * @param snapshots how many manifests were read
 * @param unreadable the manifests that could not be read, parsed or matched to their id, each with why: their
 *     chunks are unknown, so a collection must not run
 */
public record ReferencedChunks(Map<String, ChunkRef> committed, Map<String, ChunkRef> pending, int snapshots,
        List<String> unreadable) {

    /** Reads every manifest of the store, committed and pending. */
    public static ReferencedChunks of(SnapshotStore store) throws IOException {
        Map<String, ChunkRef> committed = new LinkedHashMap<>();
        Map<String, ChunkRef> pending = new LinkedHashMap<>();
        List<String> unreadable = new ArrayList<>();
        // pending/ first: a fetch commits by writing snapshots/ID.json before it removes pending/ID.json, so a snapshot
        // committed between the two listings is seen in one of them.
        int snapshots = read(store, store.root().resolve("pending"), pending, unreadable);
        snapshots += read(store, store.root().resolve("snapshots"), committed, unreadable);
        pending.keySet().removeAll(committed.keySet());
        return new ReferencedChunks(Map.copyOf(committed), Map.copyOf(pending), snapshots, List.copyOf(unreadable));
    }

    /** Whether any snapshot, committed or pending, names this chunk. */
    public boolean contains(String id) {
        return committed.containsKey(id) || pending.containsKey(id);
    }

    /** The reference a manifest gives this chunk. */
    public Optional<ChunkRef> ref(String id) {
        return Optional.ofNullable(committed.getOrDefault(id, pending.get(id)));
    }

    private static int read(SnapshotStore store, Path dir, Map<String, ChunkRef> into, List<String> unreadable)
            throws IOException {
        List<Path> manifests;
        try (Stream<Path> files = Files.list(dir)) {
            manifests = files.filter(f -> f.getFileName().toString().matches("[0-9a-f]{64}\\.json")).sorted().toList();
        } catch (NoSuchFileException e) {
            return 0;
        }
        int n = 0;
        for (Path f : manifests) {
            String id = f.getFileName().toString().substring(0, 64);
            try {
                byte[] bytes = Files.readAllBytes(f);
                if (!ChunkStore.idOf(bytes).equals(id)) {
                    unreadable.add(f + ": does not hash to its name");
                    continue;
                }
                for (ChunkRef c : PendingSnapshots.chunks(store.codec().read(bytes))) {
                    into.putIfAbsent(c.id(), c);
                }
                n++;
            } catch (NoSuchFileException e) {
                // committed (pending/ to snapshots/) or removed since the listing: the other directory has it
            } catch (SnapshotException e) {
                unreadable.add(f + ": " + e.getMessage());
            }
        }
        return n;
    }
}
