package dev.meshboot.node.mesh;

import dev.meshboot.images.store.SnapshotStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Garbage collection of chunks: a chunk file that no snapshot of the store names, committed or pending
 * ({@link ReferencedChunks}), is deleted once it is older than a minimum age. Every snapshot in the store is
 * retained; this frees what builds that failed, and snapshots removed from the store, left behind.
 *
 * <p>Safe against what runs beside it: a fetch writes its pending manifest before its first chunk, and a build
 * writes new chunks (and marks reused ones young, {@link dev.meshboot.images.store.ChunkStore#touch}) before its
 * manifest, so a chunk that is about to be named is either marked or young. The manifests are read twice, before
 * and after the chunks are listed, and a chunk's age is read just before it is deleted. If any manifest cannot be
 * read, what it names is unknown and nothing is deleted.
 */
public final class ChunkCollector {
    private static final System.Logger LOG = System.getLogger(ChunkCollector.class.getName());

    /**
     * What a collection did.
     *
     * @param stored chunk files found
     * @param referenced chunks the snapshots name
     * @param deleted chunk files deleted
     * @param freedBytes their bytes
     * @param young unreferenced chunks kept because they are younger than the minimum age
     * @param skipped why nothing was deleted, when so
     */
    public record Result(Instant at, int stored, int referenced, int deleted, long freedBytes, int young,
            Optional<String> skipped) {}

    private final SnapshotStore store;
    private final Duration minAge;
    private final Clock clock;

    /**
     * @param minAge an unreferenced chunk younger than this is kept: longer than any build or fetch takes between
     *     storing a chunk and writing the manifest that names it
     */
    public ChunkCollector(SnapshotStore store, Duration minAge, Clock clock) {
        this.store = store;
        this.minAge = minAge;
        this.clock = clock;
    }

    public synchronized Result collect() throws IOException {
        Instant at = clock.instant();
        ReferencedChunks before = ReferencedChunks.of(store);
        if (!before.unreadable().isEmpty()) {
            return skipped(at, before);
        }
        List<String> stored = store.chunks().ids();
        List<String> candidates = stored.stream().filter(id -> !before.contains(id)).toList();
        ReferencedChunks after = ReferencedChunks.of(store);
        if (!after.unreadable().isEmpty()) {
            return skipped(at, after);
        }
        Instant youngFrom = at.minus(minAge);
        int deleted = 0;
        int young = 0;
        long freed = 0;
        for (String id : candidates) {
            if (after.contains(id)) {
                continue;
            }
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(store.chunks().pathOf(id), BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                continue;
            }
            if (!a.lastModifiedTime().toInstant().isBefore(youngFrom)) {
                young++;
                continue;
            }
            if (store.chunks().remove(id)) {
                deleted++;
                freed += a.size();
            }
        }
        int referenced = after.committed().size() + after.pending().size();
        if (deleted > 0) {
            LOG.log(System.Logger.Level.INFO, "garbage collection: {0} unreferenced chunks deleted ({1} bytes); {2}"
                    + " young ones kept", deleted, freed, young);
        }
        return new Result(at, stored.size(), referenced, deleted, freed, young, Optional.empty());
    }

    private Result skipped(Instant at, ReferencedChunks refs) {
        String why = "unreadable manifests, so what they name is unknown: " + refs.unreadable();
        LOG.log(System.Logger.Level.WARNING, "garbage collection skipped: " + why);
        return new Result(at, 0, refs.committed().size() + refs.pending().size(), 0, 0, 0, Optional.of(why));
    }
}
