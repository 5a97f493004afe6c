package dev.meshboot.images;

/** An entry, link or request path that would reach outside its root: {@code ..}, an absolute path, or a path through a symlink. */
public final class PathEscapeException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    public PathEscapeException(String message) {
        super(message);
    }

    public PathEscapeException(String message, Throwable cause) {
        super(message, cause);
    }
}
