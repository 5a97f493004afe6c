package dev.meshboot.clusterconfig.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * One version of one document, as it replicates: the key, the HLC timestamp of the write (whose member is the
 * origin), the version the writer replaced ({@code base}, empty for a creation), whether it is a deletion
 * (tombstone, with an empty body), and the document's canonical bytes.
 *
 * <p>Versions are totally ordered ({@link #ORDER}): by timestamp (millis, counter, then origin id), then by
 * {@link #hash()}. Two different versions never compare equal, so whichever order they arrive in, every member keeps
 * the same one. The hash covers the whole encoding, base and tombstone flag included.
 */
public final class VersionedDocument {
    /** Last writer wins: the greater version is the one every member keeps. */
    public static final Comparator<VersionedDocument> ORDER = Comparator.comparing(VersionedDocument::version)
            .thenComparing(VersionedDocument::hash, Arrays::compareUnsigned);

    /** The largest body a version may carry; a document is a few kB, a signed snapshot manifest well under this. */
    public static final int MAX_BODY = 4 << 20;

    private final DocumentKey key;
    private final HlcTimestamp version;
    private final Optional<HlcTimestamp> base;
    private final boolean tombstone;
    private final byte[] body;
    private final byte[] hash;

    public VersionedDocument(DocumentKey key, HlcTimestamp version, Optional<HlcTimestamp> base, boolean tombstone,
            byte[] body) {
        this.key = Objects.requireNonNull(key);
        this.version = Objects.requireNonNull(version);
        this.base = Objects.requireNonNull(base);
        this.tombstone = tombstone;
        this.body = body.clone();
        if (tombstone && body.length > 0) {
            throw new IllegalArgumentException("a tombstone has no body: " + key);
        }
        if (body.length > MAX_BODY) {
            throw new IllegalArgumentException("body of " + key + " is " + body.length + " bytes, over " + MAX_BODY);
        }
        if (base.filter(b -> b.compareTo(version) >= 0).isPresent()) {
            throw new IllegalArgumentException("version " + version + " of " + key + " is not after its base " + base.get());
        }
        this.hash = sha256(StoreCodec.encode(this));
    }

    public DocumentKey key() {
        return key;
    }

    public HlcTimestamp version() {
        return version;
    }

    /** The member that wrote this version. */
    public String origin() {
        return version.member();
    }

    public Optional<HlcTimestamp> base() {
        return base;
    }

    public boolean tombstone() {
        return tombstone;
    }

    public byte[] body() {
        return body.clone();
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** SHA-256 of the canonical encoding: the last tie-break, and what anti-entropy compares. */
    public byte[] hash() {
        return hash.clone();
    }

    /** True when this version wins over {@code other} under last-writer-wins. */
    public boolean beats(VersionedDocument other) {
        return ORDER.compare(this, other) > 0;
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionedDocument v && Arrays.equals(hash, v.hash) && key.equals(v.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return key + "@" + version + (tombstone ? " (deleted)" : "") + " #" + HexFormat.of().formatHex(hash, 0, 6);
    }
}
