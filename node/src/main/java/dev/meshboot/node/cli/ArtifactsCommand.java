package dev.meshboot.node.cli;

import dev.meshboot.bootstrap.artifacts.ArtifactsBuilder;
import dev.meshboot.bootstrap.artifacts.BootArtifacts;
import dev.meshboot.images.store.SnapshotStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meshboot artifacts ...}: the boot artifacts of a snapshot. */
@Command(name = "artifacts", mixinStandardHelpOptions = true,
        description = "Boot artifacts (kernel, initramfs, iPXE, GRUB) made from a snapshot.",
        subcommands = {ArtifactsCommand.Build.class})
final class ArtifactsCommand {

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Make the boot artifacts of a snapshot from its own kernel and modules, and store them "
                    + "as blobs named in the snapshot's artifact index (docs/boot-flow.md).")
    static final class Build implements Callable<Integer> {
        @Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        StoreOptions storeOptions;

        @Option(names = "--driver", paramLabel = "MODULE",
                description = "Only these kernel modules are matched to hardware (default: common server and virtual "
                        + "NICs and disk controllers). Repeatable.")
        List<String> drivers = new ArrayList<>();

        @Option(names = "--busybox", paramLabel = "FILE", description = "A static busybox (default: /bin/busybox).")
        Path busybox;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            SnapshotStore store = storeOptions.open();
            SnapshotStore.Snapshot snap = storeOptions.load(store);
            ArtifactsBuilder.Host host = ArtifactsBuilder.Host.debian();
            if (!drivers.isEmpty()) {
                host = host.withDrivers(drivers);
            }
            if (busybox != null) {
                host = new ArtifactsBuilder.Host(busybox, host.tools(), host.ipxeDir(), host.grubLib(),
                        host.extraFiles(), host.drivers());
            }
            BootArtifacts a = new ArtifactsBuilder(host, line -> {
                out.println(line);
                out.flush();
            }).build(store, snap);
            out.println("boot artifacts of " + snap.id() + " (kernel " + a.kernelVersion() + "):");
            new java.util.TreeMap<>(a.files()).forEach((name, blob) -> out.printf("  %-14s %10s  %s%n", name, Sizes.human(blob.size()),
                    blob.sha256()));
            return 0;
        }
    }
}
