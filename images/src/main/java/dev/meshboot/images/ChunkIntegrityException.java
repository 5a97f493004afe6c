package dev.meshboot.images;

/** A chunk that is missing, or whose content does not match its name or the manifest's sizes; names the chunk and its archive. */
public final class ChunkIntegrityException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    public ChunkIntegrityException(String message) {
        super(message);
    }

    public ChunkIntegrityException(String message, Throwable cause) {
        super(message, cause);
    }
}
