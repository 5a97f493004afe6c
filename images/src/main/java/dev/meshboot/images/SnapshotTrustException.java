package dev.meshboot.images;

/** A snapshot that is unsigned, signed by a key this store does not trust, or whose manifest does not hash to its id. */
public final class SnapshotTrustException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    public SnapshotTrustException(String message) {
        super(message);
    }

    public SnapshotTrustException(String message, Throwable cause) {
        super(message, cause);
    }
}
