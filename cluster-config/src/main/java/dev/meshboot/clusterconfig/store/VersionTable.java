package dev.meshboot.clusterconfig.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The merge state, in memory and without side effects: the winning version of every document, tombstones included.
 * {@link ReplicatedStore} adds the clock, the disk and the conflict log around it.
 */
public final class VersionTable {
    private final TreeMap<DocumentKey, VersionedDocument> versions = new TreeMap<>();

    /** Merges one version in and says what happened; the table changes only if the incoming version wins. */
    public LastWriterWins.Outcome offer(VersionedDocument incoming) {
        VersionedDocument held = versions.get(incoming.key());
        if (held == null) {
            versions.put(incoming.key(), incoming);
            return new LastWriterWins.Outcome(incoming, Optional.empty(), false, "new document");
        }
        LastWriterWins.Outcome o = LastWriterWins.merge(held, incoming);
        versions.put(incoming.key(), o.winner());
        return o;
    }

    public Optional<VersionedDocument> get(DocumentKey key) {
        return Optional.ofNullable(versions.get(key));
    }

    /** Every version held, tombstones included, in key order. */
    public List<VersionedDocument> all() {
        return List.copyOf(versions.values());
    }

    public int size() {
        return versions.size();
    }

    void remove(DocumentKey key) {
        versions.remove(key);
    }

    public StoreDigest digest() {
        return StoreDigest.of(versions.values());
    }

    /** Summaries of the versions in these buckets, in key order: the second anti-entropy message. */
    public List<VersionSummary> summaries(Set<Integer> buckets) {
        List<VersionSummary> out = new ArrayList<>();
        for (VersionedDocument v : versions.values()) {
            if (buckets.contains(StoreDigest.bucketOf(v.key()))) {
                out.add(VersionSummary.of(v));
            }
        }
        return out;
    }

    /**
     * The versions the other side lacks, given its summaries of these buckets: those it has no version of, and those
     * where its version loses to ours. What it holds that we lack is the mirror call on its side.
     */
    public List<VersionedDocument> missingFrom(Collection<VersionSummary> theirs, Set<Integer> buckets) {
        Map<DocumentKey, VersionSummary> byKey = new HashMap<>();
        theirs.forEach(s -> byKey.put(s.key(), s));
        List<VersionedDocument> out = new ArrayList<>();
        for (VersionedDocument v : versions.values()) {
            if (buckets.contains(StoreDigest.bucketOf(v.key()))) {
                VersionSummary s = byKey.get(v.key());
                if (s == null || s.losesTo(v)) {
                    out.add(v);
                }
            }
        }
        return out;
    }
}
