package dev.meshboot.node.mesh;

import dev.meshboot.images.store.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The size of the cluster "when whole", against which a view is a quorum (more than half: {@link Election}): the
 * largest view this member has ever been part of, kept on disk. Remembering it across restarts is what stops a
 * member that restarts inside a minority (or alone, after a power cut) from believing it is the majority and
 * leasing pool addresses the other side may also lease. Known machines are answered without a quorum, so a lone
 * survivor still boots every enrolled machine; it only holds back the dynamic pool until a majority is back, or
 * until an operator lowers the base after removing members for good ({@link #lower}).
 */
public final class QuorumBase {
    private final Optional<Path> file;
    private int largest;

    private QuorumBase(Optional<Path> file, int largest) {
        this.file = file;
        this.largest = largest;
    }

    /** In memory only (tests, and members without a state directory): starts at 1. */
    public static QuorumBase inMemory() {
        return new QuorumBase(Optional.empty(), 1);
    }

    /** Reads the file if it exists; a damaged file counts as unknown (1) and is rewritten at the next view. */
    public static QuorumBase open(Path file) throws IOException {
        int n = 1;
        if (Files.exists(file)) {
            try {
                n = Math.max(1, Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).strip()));
            } catch (NumberFormatException e) {
                n = 1;
            }
        }
        return new QuorumBase(Optional.of(file), n);
    }

    /** The base now. */
    public synchronized int size() {
        return largest;
    }

    /** A view of {@code members} was seen: the base grows to it, durably, before the election uses it. */
    public synchronized int observe(int members) throws IOException {
        if (members > largest) {
            largest = members;
            persist();
        }
        return largest;
    }

    /** The operator removed members for good: the base becomes {@code members} (at least the current view). */
    public synchronized void lower(int members, int currentView) throws IOException {
        largest = Math.max(Math.max(1, members), currentView);
        persist();
    }

    private void persist() throws IOException {
        if (file.isPresent()) {
            Path f = file.get();
            AtomicFiles.write(f.getParent(), f, (largest + "\n").getBytes(StandardCharsets.US_ASCII));
        }
    }
}
