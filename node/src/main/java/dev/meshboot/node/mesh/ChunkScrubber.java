package dev.meshboot.node.mesh;

import dev.meshboot.images.ChunkIntegrityException;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.store.ChunkStore;
import dev.meshboot.images.store.SnapshotStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the chunks a disk has damaged or lost, and repairs them from peers. A pass reads every chunk that a
 * snapshot of the store names ({@link ReferencedChunks}) and verifies it as a fetch does (compressed size, zstd
 * frame, SHA-256 of the content); a chunk that fails is moved to {@code quarantine/} at once, so it is never served
 * again, and fetched afresh from a peer, verified before it is stored. A chunk a committed snapshot names but the
 * disk no longer holds is fetched the same way; a pending snapshot's absent chunks are the fetch's business.
 *
 * <p>Reading is paced by a {@link RateLimiter} on the bytes read, so a pass over the whole store never competes
 * with boots for the disk. One pass runs at a time.
 */
public final class ChunkScrubber {
    private static final System.Logger LOG = System.getLogger(ChunkScrubber.class.getName());
    /** Unrepairable chunks named in a report: enough to act on, bounded when a whole disk is gone. */
    static final int NAMED = 100;

    /** Where repairs come from: verified stored bytes of a chunk, and who gave them. */
    @FunctionalInterface
    public interface ChunkSource {
        /**
         * The chunk from some peer, checked against {@code ref}; a peer that served bad bytes is added to
         * {@code avoided} and not asked again in this pass.
         */
        Optional<Fetched> fetch(ChunkRef ref, Set<String> avoided) throws InterruptedException;

        /** Compressed bytes that matched the reference, and the peer that served them. */
        record Fetched(String peer, byte[] compressed) {}

        ChunkSource NONE = (ref, avoided) -> Optional.empty();
    }

    /**
     * What a pass did.
     *
     * @param checked chunks read and verified
     * @param bytes compressed bytes read
     * @param corrupt chunks that failed verification (quarantined)
     * @param missing chunks of committed snapshots absent from the disk
     * @param repaired corrupt or missing chunks fetched again from a peer
     * @param unrepairable how many chunks no peer could give back
     * @param unrepairableChunks the first {@value #NAMED} of those
     * @param avoided peers that served bad bytes during the pass
     * @param unreadable manifests that could not be read (their chunks were not checked)
     */
    public record Report(Instant started, Instant finished, int snapshots, long checked, long bytes, int corrupt,
            int missing, int repaired, int unrepairable, List<String> unrepairableChunks, Set<String> avoided,
            List<String> unreadable) {}

    private final SnapshotStore store;
    private final ChunkSource source;
    private final RateLimiter pace;
    private final Clock clock;

    /**
     * @param pace caps the bytes read per second
     */
    public ChunkScrubber(SnapshotStore store, ChunkSource source, RateLimiter pace, Clock clock) {
        this.store = store;
        this.source = source;
        this.pace = pace;
        this.clock = clock;
    }

    /** One pass over every chunk the store's snapshots name. */
    public synchronized Report scrub() throws IOException, InterruptedException {
        Instant started = clock.instant();
        ReferencedChunks refs = ReferencedChunks.of(store);
        Tally t = new Tally();
        Set<String> avoided = new TreeSet<>();
        for (Map.Entry<String, ChunkRef> e : sorted(refs.committed())) {
            check(e.getValue(), true, t, avoided);
        }
        for (Map.Entry<String, ChunkRef> e : sorted(refs.pending())) {
            check(e.getValue(), false, t, avoided);
        }
        Report r = new Report(started, clock.instant(), refs.snapshots(), t.checked, t.bytes, t.corrupt, t.missing,
                t.repaired, t.unrepairable.size(), List.copyOf(t.unrepairable.subList(0, Math.min(NAMED,
                        t.unrepairable.size()))), Set.copyOf(avoided), refs.unreadable());
        LOG.log(r.corrupt() + r.missing() + r.unreadable().size() > 0 ? System.Logger.Level.WARNING
                : System.Logger.Level.INFO, "scrub: {0} chunks checked, {1} corrupt, {2} missing, {3} repaired, {4}"
                        + " unrepairable, {5} unreadable manifests", r.checked(), r.corrupt(), r.missing(), r.repaired(),
                r.unrepairable(), r.unreadable().size());
        return r;
    }

    /**
     * Repairs one chunk reported damaged from elsewhere (the HTTP server, which already quarantined it): fetched
     * from a peer if a snapshot of the store names it and the disk does not hold a good copy. True when the store
     * holds it verified afterwards.
     */
    public synchronized boolean repair(String id) throws IOException, InterruptedException {
        Optional<ChunkRef> ref = ReferencedChunks.of(store).ref(id);
        if (ref.isEmpty()) {
            return false; // no snapshot names it: nothing to repair
        }
        Tally t = new Tally();
        check(ref.get(), true, t, new TreeSet<>());
        return t.unrepairable.isEmpty();
    }

    private static List<Map.Entry<String, ChunkRef>> sorted(Map<String, ChunkRef> m) {
        return m.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList();
    }

    private void check(ChunkRef ref, boolean mustExist, Tally t, Set<String> avoided)
            throws IOException, InterruptedException {
        Path file = store.chunks().pathOf(ref.id());
        byte[] compressed;
        try {
            compressed = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            if (mustExist) {
                t.missing++;
                LOG.log(System.Logger.Level.WARNING, "chunk {0} is missing from {1}", ref.id(), file);
                fetch(ref, t, avoided);
            }
            return;
        } catch (IOException e) {
            compressed = null; // unreadable: as damaged as a wrong hash
            LOG.log(System.Logger.Level.WARNING, "chunk {0} cannot be read: {1}", ref.id(), e.getMessage());
        }
        if (compressed != null) {
            pace.acquire(compressed.length);
            t.checked++;
            t.bytes += compressed.length;
            try {
                ChunkStore.verify(ref, compressed, "scrub of " + file);
                return;
            } catch (ChunkIntegrityException e) {
                LOG.log(System.Logger.Level.WARNING, e.getMessage());
            }
        }
        t.corrupt++;
        Optional<Path> aside = store.chunks().quarantine(ref.id());
        aside.ifPresent(q -> LOG.log(System.Logger.Level.WARNING, "chunk {0} moved to {1}; never served again",
                ref.id(), q));
        fetch(ref, t, avoided);
    }

    private void fetch(ChunkRef ref, Tally t, Set<String> avoided) throws IOException, InterruptedException {
        Optional<ChunkSource.Fetched> got = source.fetch(ref, avoided);
        if (got.isPresent()) {
            try {
                ChunkStore.verify(ref, got.get().compressed(), "repair from " + got.get().peer());
                store.chunks().put(ref.id(), got.get().compressed());
                store.chunks().syncTouchedDirectories();
                t.repaired++;
                LOG.log(System.Logger.Level.INFO, "chunk {0} repaired from {1}", ref.id(), got.get().peer());
                return;
            } catch (ChunkIntegrityException e) {
                avoided.add(got.get().peer()); // a source that does not check is not trusted either
            }
        }
        t.unrepairable.add(ref.id());
        LOG.log(System.Logger.Level.WARNING, "chunk {0} could not be repaired: no peer in view served it verified",
                ref.id());
    }

    private static final class Tally {
        long checked;
        long bytes;
        int corrupt;
        int missing;
        int repaired;
        final List<String> unrepairable = new ArrayList<>();
    }
}
