package dev.meshboot.clusterconfig.store;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Files in a member's store directory that are not what the store wrote: truncated, altered, or of another format.
 * Opening refuses to go on rather than serve a store with a silently missing document; the operator moves the files
 * named here aside (the member then catches up from its peers) or restores them.
 */
public final class StoreCorruptException extends Exception {
    private static final long serialVersionUID = 1L;

    /** One bad file and what is wrong with it. */
    public record BadFile(Path file, String reason) {
        @Override
        public String toString() {
            return file + ": " + reason;
        }
    }

    private final transient List<BadFile> files;

    public StoreCorruptException(List<BadFile> files) {
        super(files.size() + " corrupt file" + (files.size() == 1 ? "" : "s") + " in the store:\n"
                + files.stream().map(f -> "  " + f).collect(Collectors.joining("\n")));
        this.files = List.copyOf(files);
    }

    public List<BadFile> files() {
        return files;
    }
}
