package dev.meshboot.images.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs real tools (rsync, tar, zstd, du) with a deadline, capturing their output. */
public final class Processes {
    private Processes() {}

    public record Result(int exitCode, String stdout, String stderr) {}

    public static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("LC_ALL", "C.UTF-8");
        Process p = pb.start();
        p.getOutputStream().close();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** A bash pipeline, for the compatibility contract ({@code ... | zstd -d | tar -x ...}). */
    public static Result bash(Path dir, String script) throws IOException, InterruptedException {
        return run(dir, List.of("bash", "-o", "pipefail", "-c", script));
    }

    /** A bash script that must succeed; its output goes into the failure message when it does not. */
    public static Result must(Path dir, String script) throws IOException, InterruptedException {
        Result r = bash(dir, script);
        if (r.exitCode() != 0) {
            throw new AssertionError("failed (" + r.exitCode() + "): " + script + "\n" + r.stdout() + r.stderr());
        }
        return r;
    }

    /** rsync's itemized differences between two trees: empty when identical (content, owners, modes, xattrs, ACLs). */
    public static String rsyncDifferences(Path expected, Path actual) throws IOException, InterruptedException {
        Result r = run(expected.getParent(), List.of("rsync", "-aHAXS", "--checksum", "--numeric-ids", "--dry-run",
                "--itemize-changes", expected + "/", actual + "/"));
        if (r.exitCode() != 0) {
            throw new IOException("rsync failed: " + r.stderr());
        }
        return r.stdout();
    }

    /** Disk usage in KiB (du -sk): what a sparse file really occupies. */
    public static long diskUsageKiB(Path file) throws IOException, InterruptedException {
        Result r = run(file.getParent(), List.of("du", "-sk", file.toString()));
        return Long.parseLong(r.stdout().split("\\s+")[0]);
    }
}
