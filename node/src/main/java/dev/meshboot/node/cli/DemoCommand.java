package dev.meshboot.node.cli;

import dev.meshboot.images.paths.Trees;
import dev.meshboot.node.demo.DemoRun;
import dev.meshboot.node.demo.Timeline;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshboot demo}: the main job on an embedded default, with no root, no QEMU and no configuration. Three
 * agents form a mesh in this process on loopback, replicate a snapshot built from a generated tree, and boot
 * simulated machines through the real exchanges while one active boot server is killed (docs/architecture.md,
 * "The demo"). Exit code 0 only when every machine booted.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start a 3-agent mesh on loopback (unprivileged ports, no root), publish a snapshot of a"
                + " generated tree, boot 10 simulated machines from it through real DHCP (via a relay), TFTP and HTTP"
                + " exchanges, kill an active boot server part-way, and show the others taking over.",
                "Prints a timeline and a summary; exits 0 when every machine booted."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--work", paramLabel = "DIR",
            description = "Work directory, kept afterwards (stores, agent logs). Default: a temporary one, removed.")
    Path work;

    @Option(names = "--machines", paramLabel = "N", defaultValue = "10",
            description = "How many machines boot (1-50; default: ${DEFAULT-VALUE}).")
    int machines;

    @Option(names = "--artifacts", paramLabel = "STORE",
            description = "A store with `meshboot artifacts build` output: serve its real kernel and initramfs"
                    + " instead of stand-ins.")
    Path artifacts;

    @Option(names = "--keep-running",
            description = "Leave the surviving agents up after the summary, until Ctrl-C.")
    boolean keepRunning;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (machines < 1 || machines > 50) {
            spec.commandLine().getErr().println("--machines: 1 to 50");
            return 2;
        }
        boolean temporary = work == null;
        Path dir = temporary ? Files.createTempDirectory("meshboot-demo-") : Files.createDirectories(work);
        if (temporary && keepRunning) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Trees.delete(dir);
                } catch (java.io.IOException e) {
                    // the temporary directory stays behind
                }
            }));
        }
        out.println("meshboot demo: 3 agents on loopback, " + machines + " simulated machines, one boot server killed"
                + " part-way. Work directory: " + dir + (temporary ? " (removed at the end)" : ""));
        out.println();
        Clock clock = Clock.systemUTC();
        boolean ok;
        try {
            ok = new DemoRun(new DemoRun.Options(dir, machines, Optional.ofNullable(artifacts), keepRunning),
                    new Timeline(out, clock), clock, d -> Thread.sleep(d)).run();
        } finally {
            if (temporary && !keepRunning) {
                Trees.delete(dir);
            }
        }
        if (!temporary) {
            out.println("Agent logs: " + dir.resolve("agents.log"));
        }
        return ok ? 0 : 1;
    }
}
