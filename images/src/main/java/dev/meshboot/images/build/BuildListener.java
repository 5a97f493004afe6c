package dev.meshboot.images.build;

/** What a build reports while it runs: progress for a terminal bar, and warnings that must not pass silently. */
public interface BuildListener {
    /** {@code done} of {@code total} bytes of file data read. */
    default void progress(long done, long total) {}

    /** Something left out or degraded: a socket, a mount point's contents. */
    default void warning(String message) {}

    BuildListener NONE = new BuildListener() {};
}
