package dev.meshboot.clusterconfig.store;

/**
 * Bytes that are not a valid encoding of versions, a digest or a snapshot: truncated, over a limit, or of an
 * unknown format. Raised for what comes off the wire or out of a state transfer, never for local mistakes.
 */
public final class StoreFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public StoreFormatException(String message) {
        super(message);
    }
}
