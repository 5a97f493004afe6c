package dev.meshboot.images;

/** A build spec (the {@code --split} file) with a mistake: the message names the file, field, value and reason. */
public final class BuildSpecException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    public BuildSpecException(String message) {
        super(message);
    }

    public BuildSpecException(String message, Throwable cause) {
        super(message, cause);
    }
}
