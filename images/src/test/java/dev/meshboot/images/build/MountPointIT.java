package dev.meshboot.images.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.images.read.SnapshotReader;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.images.testing.Processes;
import dev.meshboot.images.testing.Tiers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A file system mounted inside the tree (as /proc or a data disk is on a live root) is kept as an empty directory. */
@Timeout(120)
class MountPointIT {
    @TempDir
    Path dir;

    @Test
    void mountedFileSystem_isKeptAsAnEmptyDirectory_withAWarning() throws Exception {
        Tiers.requireRoot();
        Tiers.requireTool("mount");
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        Files.writeString(rootfs.resolve("keep"), "on the root file system\n");
        Path mnt = Files.createDirectories(rootfs.resolve("mnt/data"));
        assertEquals(0, Processes.run(dir, List.of("mount", "-t", "tmpfs", "tmpfs", mnt.toString())).exitCode());
        try {
            Files.writeString(mnt.resolve("other-fs-file"), "must not be in the snapshot\n");
            SnapshotStore store = SnapshotStore.open(dir.resolve("store"));
            List<String> warnings = new ArrayList<>();
            SnapshotBuilder.Result r = new SnapshotBuilder(store, Clock.systemUTC(), new BuildListener() {
                @Override
                public void warning(String message) {
                    warnings.add(message);
                }
            }).build(rootfs, SnapshotBuilder.Options.defaults("mounts"));
            assertTrue(warnings.contains("kept mount point mnt/data empty: it is another file system"), warnings.toString());

            Path x = dir.resolve("x");
            new SnapshotReader(store, store.load(r.id(), true, List.of())).extract(List.of("core", "extras"), x, w -> {});
            assertTrue(Files.isRegularFile(x.resolve("keep")));
            assertTrue(Files.isDirectory(x.resolve("mnt/data")));
            try (Stream<Path> s = Files.list(x.resolve("mnt/data"))) {
                assertEquals(0, s.count());
            }
        } finally {
            Processes.run(dir, List.of("umount", mnt.toString()));
        }
    }
}
