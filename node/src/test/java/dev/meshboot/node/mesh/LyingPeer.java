package dev.meshboot.node.mesh;

import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.node.http.BootContent;
import dev.meshboot.node.http.Representation;
import dev.meshboot.node.http.StoreBootContent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A peer that serves whatever its chunk files hold, unchecked: what a buggy or hostile member does. The agent's own
 * server verifies a chunk before serving it ({@code VerifiedChunkFiles}), so planting bad bytes in an honest
 * server's store no longer makes a liar; the tests of avoidance need this one.
 */
final class LyingPeer {
    private LyingPeer() {}

    static BootContent content(SnapshotStore store, Path bootDir) throws IOException {
        StoreBootContent honest = new StoreBootContent(store, bootDir, mac -> Optional.empty());
        return path -> {
            if (path.matches("/chunks/[0-9a-f]{64}")) {
                Path f = store.chunks().pathOf(path.substring("/chunks/".length()));
                try {
                    return Files.isRegularFile(f) ? Optional.of(Representation.of("application/octet-stream", "x",
                            List.of(new Representation.FileSpan(f, 0, Files.size(f))))) : Optional.empty();
                } catch (IOException e) {
                    return Optional.empty();
                }
            }
            return honest.resolve(path);
        };
    }
}
