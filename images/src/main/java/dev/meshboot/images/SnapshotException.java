package dev.meshboot.images;

import java.io.IOException;

/**
 * Bad input to the snapshot tools. Each kind of bad input has its own subclass, and every message names the
 * entry, chunk, file or field at fault, so an operator can act on it without a stack trace.
 */
public abstract sealed class SnapshotException extends IOException
        permits ArchiveFormatException, PathEscapeException, ChunkIntegrityException, SnapshotTrustException,
                BuildSpecException, SnapshotNotFoundException, ManifestFormatException {
    private static final long serialVersionUID = 1L;

    protected SnapshotException(String message) {
        super(message);
    }

    protected SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
