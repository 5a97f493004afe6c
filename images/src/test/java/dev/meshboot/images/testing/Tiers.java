package dev.meshboot.images.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.meshboot.images.posix.Posix;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Prerequisites of the slower tiers. On a developer's machine a missing prerequisite skips the test; where
 * {@code MESHBOOT_REQUIRE_ALL_TIERS=true} (CI, and README's test command) it fails it, because a skipped test is a
 * missing test.
 */
public final class Tiers {
    private Tiers() {}

    public static boolean allRequired() {
        return "true".equals(System.getenv("MESHBOOT_REQUIRE_ALL_TIERS"));
    }

    public static void requireRoot() {
        require(Posix.isRoot(), "this test needs root (ownership, devices, trusted.* xattrs)");
    }

    /** Requires an executable on the PATH, such as rsync, zstd or GNU tar. */
    public static void requireTool(String name) {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                found = true;
                break;
            }
        }
        require(found, "this test needs '" + name + "' on the PATH (bash .ci/test installs it)");
    }

    private static void require(boolean condition, String why) {
        if (condition) {
            return;
        }
        if (allRequired()) {
            fail(why + "; MESHBOOT_REQUIRE_ALL_TIERS=true forbids skipping it");
        }
        Assumptions.abort(why);
    }
}
