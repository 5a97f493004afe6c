package dev.meshboot.images;

/** A manifest that does not parse, or whose fields break the format's rules; names the field and the value. */
public final class ManifestFormatException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    public ManifestFormatException(String message) {
        super(message);
    }

    public ManifestFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
