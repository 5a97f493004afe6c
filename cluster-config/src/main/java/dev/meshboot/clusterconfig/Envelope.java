package dev.meshboot.clusterconfig;

import java.util.Map;
import java.util.TreeMap;

/**
 * What every document carries around its spec: its kind, its name (unique per kind), and metadata the replicated
 * store will fill (a hybrid-logical-clock version, the writer), so documents written today replicate unchanged.
 *
 * @param kind {@code Cluster}, {@code Profile} or {@code Node}
 * @param meta free string metadata; the store owns the keys it sets
 */
public record Envelope(String kind, String name, Map<String, String> meta) {
    public Envelope {
        meta = new TreeMap<>(meta == null ? Map.of() : meta);
    }
}
