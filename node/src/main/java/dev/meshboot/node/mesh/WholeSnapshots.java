package dev.meshboot.node.mesh;

import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.store.SnapshotStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The committed snapshots whose every chunk is still in the store: what this member may advertise as held. A chunk
 * that the scrub or the HTTP server found damaged is moved to quarantine, and until a peer gives it back the
 * snapshot is not whole here: advertising it would make this member eligible as a boot server for a snapshot it
 * cannot serve, and a source for a chunk it does not have. Checked by file presence (the content is the scrub's
 * business), at once when the set of committed snapshots changes, otherwise at most once per {@code every}.
 */
public final class WholeSnapshots {
    private final SnapshotStore store;
    private final Clock clock;
    private final Duration every;
    private Set<String> last = Set.of();
    private List<String> lastIds = List.of();
    private Instant checked = Instant.MIN;

    public WholeSnapshots(SnapshotStore store, Clock clock, Duration every) {
        this.store = store;
        this.clock = clock;
        this.every = every;
    }

    public synchronized Set<String> ids() {
        Instant now = clock.instant();
        List<String> ids;
        try {
            ids = store.ids();
        } catch (IOException e) {
            return last;
        }
        if (ids.equals(lastIds) && checked.plus(every).isAfter(now)) {
            return last;
        }
        Set<String> whole = new TreeSet<>();
        try {
            for (String id : ids) {
                List<ChunkRef> chunks = PendingSnapshots.chunks(store.load(id, true, List.of()).manifest());
                if (chunks.stream().allMatch(c -> store.chunks().contains(c.id()))) {
                    whole.add(id);
                }
            }
        } catch (IOException | RuntimeException e) {
            return last; // unreadable now: keep the last answer rather than drop out of every election
        }
        last = Set.copyOf(whole);
        lastIds = List.copyOf(ids);
        checked = now;
        return last;
    }
}
