package dev.meshboot.images;

/** A snapshot id (or prefix) that names no snapshot in the store, or more than one. */
public final class SnapshotNotFoundException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    public SnapshotNotFoundException(String message) {
        super(message);
    }

    public SnapshotNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
