package dev.meshboot.images;

/** A tar stream that is malformed, truncated, or exceeds a documented limit (PAX header size, name length, sparse map). */
public final class ArchiveFormatException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    public ArchiveFormatException(String message) {
        super(message);
    }

    public ArchiveFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
