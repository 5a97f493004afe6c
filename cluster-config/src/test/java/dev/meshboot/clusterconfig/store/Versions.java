package dev.meshboot.clusterconfig.store;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Shorthand for versions in tests. */
final class Versions {
    private Versions() {}

    static final DocumentKey NODE = new DocumentKey("Node", "node-01");

    static HlcTimestamp ts(long millis, int logical, String member) {
        return new HlcTimestamp(millis, logical, member);
    }

    static VersionedDocument write(DocumentKey key, HlcTimestamp at, HlcTimestamp base, String body) {
        return new VersionedDocument(key, at, Optional.ofNullable(base), false, body.getBytes(StandardCharsets.UTF_8));
    }

    static VersionedDocument delete(DocumentKey key, HlcTimestamp at, HlcTimestamp base) {
        return new VersionedDocument(key, at, Optional.ofNullable(base), true, new byte[0]);
    }
}
