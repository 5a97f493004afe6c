package dev.meshboot.clusterconfig.store;

import dev.meshboot.clusterconfig.CanonicalDocument;
import dev.meshboot.clusterconfig.ClusterConfig;
import dev.meshboot.clusterconfig.ConfigError;
import dev.meshboot.clusterconfig.ConfigException;
import dev.meshboot.clusterconfig.ConfigLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One member's copy of the replicated config store: what the agent in {@code node} drives over its JGroups channel
 * (docs/cluster.md). Every method is a local, synchronous step; carrying versions between members is the caller's.
 *
 * <ul>
 *   <li>A local change ({@link #write}, {@link #delete}) is stamped by the member's hybrid logical clock, made
 *       durable on this member's disk, and returned for the caller to broadcast.
 *   <li>Versions from other members ({@link #applyRemote}) merge by last-writer-wins; what changed and which
 *       concurrent writes lost come back.
 *   <li>A member that was away catches up by anti-entropy ({@link #digest}, {@link #summaries},
 *       {@link #missingFrom}) or by state transfer ({@link #snapshot}, {@link #restore}), never by a replay of history.
 *   <li>{@link #view} is the {@link ClusterConfig} the boot policy serves.
 * </ul>
 *
 * <p>Methods are synchronized: the channel's delivery thread and the admin socket call in concurrently, and each
 * step is short.
 */
public final class ReplicatedStore {
    /** A version stamped further ahead of the local wall clock than this is reported in {@link MergeResult}. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(1);

    private final HybridLogicalClock clock;
    private final VersionTable table = new VersionTable();
    private final Optional<DocumentDirectory> disk;
    private final ConflictLog conflicts;
    private final ConfigLoader loader = new ConfigLoader();
    private Optional<ClusterConfig> lastValid = Optional.empty();
    private ConfigView view;

    private ReplicatedStore(HybridLogicalClock clock, Optional<DocumentDirectory> disk, ConflictLog conflicts) {
        this.clock = clock;
        this.disk = disk;
        this.conflicts = conflicts;
    }

    /** A store that lives only in memory (tests, {@code config validate}). */
    public static ReplicatedStore inMemory(String member, Clock clock) {
        return new ReplicatedStore(new HybridLogicalClock(clock, member), Optional.empty(), ConflictLog.inMemory());
    }

    /**
     * Opens (or creates) the store in {@code dir}. Every stored version is loaded and fed to the clock, so this
     * member's next write is stamped after everything it held before the restart.
     *
     * @throws StoreCorruptException if any file is torn or altered; none is skipped silently
     */
    public static ReplicatedStore open(Path dir, String member, Clock clock) throws IOException, StoreCorruptException {
        return open(dir, member, clock, FaultPoint.NONE);
    }

    /** As {@link #open(Path, String, Clock)}, with a hook between each fsync and rename (crash tests). */
    public static ReplicatedStore open(Path dir, String member, Clock clock, FaultPoint faults)
            throws IOException, StoreCorruptException {
        DocumentDirectory disk = new DocumentDirectory(dir, faults);
        List<VersionedDocument> stored = disk.load();
        ReplicatedStore store = new ReplicatedStore(new HybridLogicalClock(clock, member), Optional.of(disk),
                ConflictLog.open(dir.resolve("conflicts")));
        for (VersionedDocument v : stored) {
            store.clock.receive(v.version());
            store.table.offer(v);
        }
        return store;
    }

    public String member() {
        return clock.member();
    }

    /**
     * Writes a document here. Unchanged content (same bytes, not deleted) writes nothing and returns the version
     * held, so re-applying the same files is free; broadcasting that version again is harmless.
     *
     * @return the version to broadcast
     */
    public synchronized VersionedDocument write(CanonicalDocument document) throws IOException {
        return write(new DocumentKey(document.kind(), document.name()), document.json());
    }

    /** As {@link #write(CanonicalDocument)} for any kind (catalog entries, leases): the body is opaque here. */
    public synchronized VersionedDocument write(DocumentKey key, byte[] body) throws IOException {
        Optional<VersionedDocument> held = table.get(key);
        if (held.isPresent() && !held.get().tombstone() && java.util.Arrays.equals(held.get().body(), body)) {
            return held.get();
        }
        return commitLocal(new VersionedDocument(key, clock.tick(), held.map(VersionedDocument::version), false, body));
    }

    /**
     * Deletes a document by writing its tombstone, which replicates like any version and keeps a concurrent older
     * write from bringing the document back.
     *
     * @return the tombstone to broadcast, or empty when there was no live document
     */
    public synchronized Optional<VersionedDocument> delete(DocumentKey key) throws IOException {
        Optional<VersionedDocument> held = table.get(key).filter(v -> !v.tombstone());
        if (held.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(commitLocal(new VersionedDocument(key, clock.tick(), Optional.of(held.get().version()), true,
                new byte[0])));
    }

    private VersionedDocument commitLocal(VersionedDocument v) throws IOException {
        if (disk.isPresent()) {
            disk.get().write(v); // durable before anyone hears of it
        }
        table.offer(v);
        if (ConfigLoader.KINDS.contains(v.key().kind())) {
            view = null; // leases and catalog entries change often and are not configuration: keep the parsed view
        }
        return v;
    }

    /**
     * Merges versions from other members: each is kept if it wins, persisted before it is kept, and fed to the
     * clock so later local writes order after it. Applying the same versions again changes nothing.
     */
    public synchronized MergeResult applyRemote(Collection<VersionedDocument> versions) throws IOException {
        List<VersionedDocument> changed = new ArrayList<>();
        List<Conflict> lost = new ArrayList<>();
        List<VersionedDocument> ahead = new ArrayList<>();
        long wall = clock.physicalMillis();
        for (VersionedDocument v : versions) {
            if (v.version().millis() - wall > MAX_CLOCK_SKEW.toMillis()) {
                ahead.add(v);
            }
            clock.receive(v.version());
            Optional<VersionedDocument> held = table.get(v.key());
            LastWriterWins.Outcome o = held.map(h -> LastWriterWins.merge(h, v))
                    .orElseGet(() -> new LastWriterWins.Outcome(v, Optional.empty(), false, "new document"));
            if (o.winner() == v && !held.map(v::equals).orElse(false)) {
                if (disk.isPresent()) {
                    disk.get().write(v);
                }
                table.offer(v);
                changed.add(v);
            }
            if (o.concurrent() && o.loser().isPresent()) {
                Conflict c = new Conflict(v.key(), o.winner(), o.loser().get(), o.reason(),
                        Instant.ofEpochMilli(clock.physicalMillis()));
                conflicts.add(c);
                lost.add(c);
            }
        }
        if (!lost.isEmpty()) {
            conflicts.persist();
        }
        if (changed.stream().anyMatch(v -> ConfigLoader.KINDS.contains(v.key().kind()))) {
            view = null;
        }
        return new MergeResult(changed, lost, ahead);
    }

    public synchronized Optional<VersionedDocument> get(DocumentKey key) {
        return table.get(key);
    }

    /** Every version held, tombstones included, in key order. */
    public synchronized List<VersionedDocument> versions() {
        return table.all();
    }

    /** The live documents (no tombstones), in key order. */
    public synchronized List<VersionedDocument> documents() {
        return table.all().stream().filter(v -> !v.tombstone()).toList();
    }

    /** Anti-entropy, step 1: this store's digest, to send to a peer. */
    public synchronized StoreDigest digest() {
        return table.digest();
    }

    /** Anti-entropy, step 2: summaries of the buckets that differ from a peer's digest. */
    public synchronized List<VersionSummary> summaries(Set<Integer> buckets) {
        return table.summaries(buckets);
    }

    /** Anti-entropy, step 3: the versions a peer lacks, given its summaries; the peer applies them remotely. */
    public synchronized List<VersionedDocument> missingFrom(Collection<VersionSummary> theirs, Set<Integer> buckets) {
        return table.missingFrom(theirs, buckets);
    }

    /** State transfer: every version, tombstones included, as deterministic bytes ({@link StoreCodec#encodeAll}). */
    public synchronized byte[] snapshot() {
        return StoreCodec.encodeAll(table.all());
    }

    /**
     * Merges a peer's {@link #snapshot}. A merge, not a replacement: what this member wrote while apart survives if it
     * wins, and the result is the same as if every version had arrived by {@link #applyRemote}.
     */
    public synchronized MergeResult restore(byte[] snapshot) throws StoreFormatException, IOException {
        return applyRemote(StoreCodec.decodeAll(snapshot));
    }

    /** The conflicts this member resolved, oldest first (at most {@value ConflictLog#MAX_ENTRIES}). */
    public synchronized List<Conflict> conflicts() {
        return conflicts.entries();
    }

    /** The configuration to serve; see {@link ConfigView} for why an invalid store still serves the last valid one. */
    public synchronized ConfigView view() {
        if (view == null) {
            try {
                lastValid = Optional.of(loader.loadCanonical(configDocuments(Map.of()).values()));
                view = new ConfigView(lastValid, List.of());
            } catch (ConfigException e) {
                view = new ConfigView(lastValid, e.errors());
            }
        }
        return view;
    }

    /**
     * What the configuration would say with these documents written: no errors means {@code config apply} may write
     * them. Nothing is changed.
     */
    public synchronized List<ConfigError> check(Collection<CanonicalDocument> changes) {
        Map<DocumentKey, CanonicalDocument> overlay = new LinkedHashMap<>();
        changes.forEach(d -> overlay.put(new DocumentKey(d.kind(), d.name()), d));
        try {
            loader.loadCanonical(configDocuments(overlay).values());
            return List.of();
        } catch (ConfigException e) {
            return e.errors();
        }
    }

    private Map<DocumentKey, CanonicalDocument> configDocuments(Map<DocumentKey, CanonicalDocument> overlay) {
        Map<DocumentKey, CanonicalDocument> docs = new LinkedHashMap<>();
        for (VersionedDocument v : table.all()) {
            if (!v.tombstone() && ConfigLoader.KINDS.contains(v.key().kind())) {
                docs.put(v.key(), new CanonicalDocument(v.key().kind(), v.key().name(), v.body()));
            }
        }
        docs.putAll(overlay);
        return docs;
    }

    /**
     * Drops tombstones older than {@code retention} by this member's wall clock. Safe only if every member that
     * could still hold the deleted document has seen the tombstone by then; docs/cluster.md gives the rule (a
     * member away longer than the retention rejoins with an empty store).
     *
     * @return the keys dropped
     */
    public synchronized List<DocumentKey> collectTombstones(Duration retention) throws IOException {
        long cutoff = clock.physicalMillis() - retention.toMillis();
        List<DocumentKey> dropped = new ArrayList<>();
        for (VersionedDocument v : table.all()) {
            if (v.tombstone() && v.version().millis() < cutoff) {
                if (disk.isPresent()) {
                    disk.get().remove(v.key());
                }
                table.remove(v.key());
                dropped.add(v.key());
            }
        }
        return dropped;
    }

    /** The member's clock reading now, without advancing it. */
    public synchronized HlcTimestamp clock() {
        return clock.current();
    }
}
