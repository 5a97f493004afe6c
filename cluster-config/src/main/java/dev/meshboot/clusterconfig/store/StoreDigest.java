package dev.meshboot.clusterconfig.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * A fixed-size fingerprint of a store for anti-entropy: documents fall into {@value #BUCKETS} buckets by the first
 * byte of the SHA-256 of their key, and each bucket's hash covers the (key, version hash) of its documents in key
 * order. Two members exchange digests (8 KiB whatever the store's size), then summaries of only the buckets that
 * differ, then only the versions one side lacks: a member that missed a few writes catches up in three small
 * messages, never by replaying history.
 */
public final class StoreDigest {
    public static final int BUCKETS = 256;
    private static final int HASH = 32;

    private final byte[] hashes;

    StoreDigest(byte[] hashes) {
        this.hashes = hashes;
    }

    public static StoreDigest fromBytes(byte[] bytes) throws StoreFormatException {
        if (bytes.length != BUCKETS * HASH) {
            throw new StoreFormatException("a digest is " + BUCKETS * HASH + " bytes, not " + bytes.length);
        }
        return new StoreDigest(bytes.clone());
    }

    public byte[] toBytes() {
        return hashes.clone();
    }

    /** The buckets whose contents differ between the two stores, in order. */
    public TreeSet<Integer> differingBuckets(StoreDigest other) {
        TreeSet<Integer> out = new TreeSet<>();
        for (int b = 0; b < BUCKETS; b++) {
            if (!Arrays.equals(hashes, b * HASH, (b + 1) * HASH, other.hashes, b * HASH, (b + 1) * HASH)) {
                out.add(b);
            }
        }
        return out;
    }

    static int bucketOf(DocumentKey key) {
        return VersionedDocument.sha256(key.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))[0] & 0xff;
    }

    /** Builds the digest from versions in key order. */
    static StoreDigest of(Iterable<VersionedDocument> inKeyOrder) {
        List<List<VersionedDocument>> buckets = new ArrayList<>(BUCKETS);
        for (int i = 0; i < BUCKETS; i++) {
            buckets.add(new ArrayList<>());
        }
        inKeyOrder.forEach(v -> buckets.get(bucketOf(v.key())).add(v));
        byte[] hashes = new byte[BUCKETS * HASH];
        for (int b = 0; b < BUCKETS; b++) {
            java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
            for (VersionedDocument v : buckets.get(b)) {
                content.writeBytes(v.key().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                content.write(0);
                content.writeBytes(v.hash());
            }
            System.arraycopy(VersionedDocument.sha256(content.toByteArray()), 0, hashes, b * HASH, HASH);
        }
        return new StoreDigest(hashes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoreDigest d && Arrays.equals(hashes, d.hashes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hashes);
    }
}
