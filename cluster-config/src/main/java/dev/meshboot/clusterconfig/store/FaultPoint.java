package dev.meshboot.clusterconfig.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A hook between a file's fsync and its rename into place: the one moment where a crash must leave the old version.
 * Production passes {@link #NONE}; the crash test makes a child process stop there so it can be killed there.
 */
@FunctionalInterface
public interface FaultPoint {
    FaultPoint NONE = (written, target) -> {};

    /** Called with the synced temporary file and the path it is about to replace. */
    void beforeRename(Path written, Path target) throws IOException;
}
