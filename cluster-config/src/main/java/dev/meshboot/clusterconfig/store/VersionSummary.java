package dev.meshboot.clusterconfig.store;

import java.util.Arrays;

/**
 * What anti-entropy sends instead of a version: its key, timestamp and hash. Enough for the other side to tell
 * whether it holds the same version, a losing one, or a winning one, without the body.
 */
public record VersionSummary(DocumentKey key, HlcTimestamp version, byte[] hash) {
    public VersionSummary {
        if (hash.length != 32) {
            throw new IllegalArgumentException("a version hash is 32 bytes");
        }
        hash = hash.clone();
    }

    static VersionSummary of(VersionedDocument v) {
        return new VersionSummary(v.key(), v.version(), v.hash());
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    /** True when the version this summarises loses to {@code v} (or is {@code v} itself: then false). */
    boolean losesTo(VersionedDocument v) {
        int byVersion = version.compareTo(v.version());
        return byVersion < 0 || (byVersion == 0 && Arrays.compareUnsigned(hash, v.hash()) < 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionSummary s && key.equals(s.key) && version.equals(s.version)
                && Arrays.equals(hash, s.hash);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return key + "@" + version;
    }
}
