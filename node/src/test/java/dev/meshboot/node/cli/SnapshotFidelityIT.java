package dev.meshboot.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.images.posix.Posix;
import dev.meshboot.images.sample.SampleTree;
import dev.meshboot.images.testing.Processes;
import dev.meshboot.images.testing.Tiers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fidelity contract, end to end through the shipped jar: a tree built and extracted as root is identical to
 * its source by {@code rsync -aHAXS --checksum --numeric-ids} (no itemized change) and keeps its holes (du), both
 * through {@code meshboot image extract} and through plain {@code meshboot image cat | zstd -d | tar -x}.
 */
@Timeout(300)
class SnapshotFidelityIT {
    private static final Path JAR = Path.of("target/meshboot.jar").toAbsolutePath();
    private static final String JAVA = ProcessHandle.current().info().command().orElseThrow();
    private static final String TAR_X = "tar -x --xattrs --xattrs-include='*' --acls --numeric-owner";

    @TempDir
    Path dir;

    private Path rootfs;
    private Path store;
    private String id;

    @BeforeEach
    void buildSnapshot() throws Exception {
        Tiers.requireRoot();
        for (String tool : List.of("rsync", "zstd", "tar", "du", "setpriv")) {
            Tiers.requireTool(tool);
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        rootfs = new SampleTree(11).create(dir.resolve("rootfs"));
        store = dir.resolve("store");
        Path key = dir.resolve("k");
        meshboot("key", "generate", "--out", key.toString());
        Path spec = dir.resolve("keep-everything.json");
        Files.writeString(spec, "{\"exclude\": [], \"empty\": []}");
        Processes.Result build = meshboot("image", "build", rootfs.toString(), "--store", store.toString(),
                "--key", key.toString(), "--split", spec.toString());
        id = build.stdout().lines().toList().getLast();
        assertTrue(id.matches("[0-9a-f]{64}"), build.stdout());
    }

    private Processes.Result meshboot(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        Processes.Result r = Processes.run(dir, cmd);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r.stdout() + r.stderr());
        return r;
    }

    @Test
    void sampleTree_hasEveryFidelityItem() throws Exception {
        // Guards the comparisons below against passing vacuously on a tree that lacks what they check.
        assertEquals(5, (int) Files.getAttribute(rootfs.resolve("usr/bin/busybox"), "unix:nlink"));
        assertTrue(Posix.listXattrs(rootfs.resolve("var/lib/xattrs/tagged")).containsAll(List.of("user.comment",
                "trusted.overlay", "security.selinux", "system.posix_acl_access")));
        assertTrue(Posix.listXattrs(rootfs.resolve("usr/bin/ping")).contains("security.capability"));
        assertEquals(020000, (int) Files.getAttribute(rootfs.resolve("dev/null"), "unix:mode") & 0170000);
        assertEquals(060000, (int) Files.getAttribute(rootfs.resolve("dev/sda"), "unix:mode") & 0170000);
        assertEquals(010000, (int) Files.getAttribute(rootfs.resolve("dev/initctl"), "unix:mode") & 0170000);
        assertEquals(4_000_000, (int) Files.getAttribute(rootfs.resolve("home/user/empty-file"), "unix:uid"));
        assertEquals(04755, (int) Files.getAttribute(rootfs.resolve("usr/bin/su-helper"), "unix:mode") & 07777);
        assertEquals(01777, (int) Files.getAttribute(rootfs.resolve("tmp"), "unix:mode") & 07777);
        assertTrue(Processes.diskUsageKiB(rootfs.resolve("var/lib/sparse.img")) <= 64);
        assertEquals(SampleTree.SPARSE_SIZE, Files.size(rootfs.resolve("var/lib/sparse.img")));
    }

    @Test
    void meshbootExtract_reproducesTheTreeExactly() throws Exception {
        Path to = dir.resolve("extracted");
        meshboot("image", "extract", "--store", store.toString(), id, "--to", to.toString());
        assertEquals("", Processes.rsyncDifferences(rootfs, to));
        assertTrue(Processes.diskUsageKiB(to.resolve("var/lib/sparse.img")) <= 64, "the sparse file lost its holes");
        assertEquals(SampleTree.SPARSE_SIZE, Files.size(to.resolve("var/lib/sparse.img")));
    }

    @Test
    void plainZstdAndGnuTar_reproduceTheTreeFromCat() throws Exception {
        Path to = Files.createDirectories(dir.resolve("tar-extracted"));
        for (String archive : List.of("core", "extras")) {
            Processes.Result r = Processes.bash(dir, "'" + JAVA + "' --enable-native-access=ALL-UNNAMED -jar '" + JAR
                    + "' image cat --store '" + store + "' " + id + " " + archive + " | zstd -d | " + TAR_X + " -C '"
                    + to + "'");
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals("", r.stderr(), "GNU tar warned");
        }
        assertEquals("", Processes.rsyncDifferences(rootfs, to));
        assertTrue(Processes.diskUsageKiB(to.resolve("var/lib/sparse.img")) <= 64, "the sparse file lost its holes");
    }

    @Test
    void rsyncComparison_seesADifference() throws Exception {
        // The check above must be able to fail: one changed xattr is reported.
        Path to = dir.resolve("tampered");
        meshboot("image", "extract", "--store", store.toString(), id, "--to", to.toString());
        Posix.setXattr(to.resolve("var/lib/xattrs/tagged"), "trusted.overlay", "other".getBytes());
        assertTrue(Processes.rsyncDifferences(rootfs, to).contains("var/lib/xattrs/tagged"));
    }

    @Test
    void asNonRoot_ownershipAndDevicesDegradeWithWarnings() throws Exception {
        Path out = Files.createDirectories(dir.resolve("nobody"));
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path to = out.resolve("tree");
        Processes.Result r = Processes.run(dir, List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                JAVA, "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toString(), "image", "extract", "--store",
                store.toString(), id, "--to", to.toString()));
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("skipped device dev/null"), r.stderr());
        assertTrue(r.stderr().matches("(?s).*ownership of \\d+ entries not restored: not running as root.*"), r.stderr());
        assertTrue(r.stderr().contains("xattr trusted.overlay of var/lib/xattrs/tagged not restored"), r.stderr());
        assertTrue(Files.isRegularFile(to.resolve("usr/bin/busybox")));
        assertEquals(010000, (int) Files.getAttribute(to.resolve("dev/initctl"), "unix:mode") & 0170000,
                "a fifo needs no privilege and is kept");
    }
}
