package dev.meshboot.node.cli;

import dev.meshboot.images.build.SnapshotBuilder;
import dev.meshboot.images.manifest.ArchiveManifest;
import dev.meshboot.images.paths.Trees;
import dev.meshboot.images.posix.Posix;
import dev.meshboot.images.read.SnapshotReader;
import dev.meshboot.images.sample.SampleTree;
import dev.meshboot.images.signing.KeyFiles;
import dev.meshboot.images.store.SnapshotStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshboot demo}: the main job on an embedded default, with no root and no configuration. Until the mesh
 * exists it shows the snapshot format end to end on a tree it generates: sign, build, verify, extract, change a
 * few files, rebuild, and count what the two snapshots share.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Build, verify and extract a signed snapshot of a generated sample tree, then update it and"
                + " show what the two snapshots share.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--work", paramLabel = "DIR", description = "Work directory (default: a temporary one, removed).")
    Path work;

    private PrintWriter out;
    private long start;

    @Override
    public Integer call() throws IOException {
        out = spec.commandLine().getOut();
        start = System.nanoTime();
        boolean temporary = work == null;
        Path dir = temporary ? Files.createTempDirectory("meshboot-demo-") : Files.createDirectories(work);
        try {
            run(dir);
        } finally {
            if (temporary) {
                Trees.delete(dir);
            }
        }
        return 0;
    }

    private void run(Path dir) throws IOException {
        SampleTree sample = new SampleTree(42);
        Path rootfs = sample.create(dir.resolve("rootfs"));
        step("generated a sample root filesystem in " + rootfs);
        for (String f : sample.features()) {
            out.println("             - " + f);
        }

        Path keyFile = dir.resolve("cluster.key");
        KeyPair key = KeyFiles.generate();
        KeyFiles.write(key, keyFile);
        SnapshotStore store = SnapshotStore.open(dir.resolve("store"));
        store.trust(key.getPublic());
        step("generated signing key " + KeyFiles.keyId(key.getPublic()) + "; the store trusts it");

        SnapshotBuilder builder = new SnapshotBuilder(store, Clock.systemUTC(),
                new ProgressBar(spec.commandLine().getErr(), false));
        SnapshotBuilder.Options options = SnapshotBuilder.Options.defaults("demo").withKey(key)
                .withChunkSize(64 << 10);
        SnapshotBuilder.Result first = builder.build(rootfs, options);
        step("built snapshot " + first.id().substring(0, 12) + " (64 KiB chunks, to show sharing on a small tree)");
        for (ArchiveManifest a : first.manifest().archives()) {
            out.printf("             %-6s %4d files, %9s of tar -> %9s in %d chunks%n", a.name(), a.files(),
                    Sizes.human(a.tarBytes()), Sizes.human(a.compressedBytes()), a.chunks().size());
        }
        out.println("             left out: etc/ssh host keys and tmp/ contents; etc/machine-id kept empty");

        SnapshotStore.Snapshot snap = store.load(first.id(), false, List.of());
        SnapshotReader.VerifyReport report = new SnapshotReader(store, snap).verify();
        step("verified: signature by " + snap.signerKeyId() + ", " + report.chunks() + " chunk hashes");

        Path extracted = dir.resolve("extracted");
        new SnapshotReader(store, snap).extract(List.of("core", "extras"), extracted,
                w -> out.println("             warning: " + w));
        Path sparse = extracted.resolve("var/lib/sparse.img");
        long apparent = Files.size(sparse);
        long data = Posix.dataSegments(sparse, apparent).stream().mapToLong(s -> s[1]).sum();
        step("extracted to " + extracted + "; var/lib/sparse.img is " + Sizes.human(apparent) + " long with "
                + Sizes.human(data) + " of data: its holes survived");

        Files.write(rootfs.resolve("usr/lib/libbig.so.1"), new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        for (int i = 0; i < 10; i++) {
            Files.writeString(rootfs.resolve(String.format("etc/app.d/%02d-setting.conf", i)), "changed " + i + "\n");
        }
        SnapshotBuilder.Result second = builder.build(rootfs, options);
        step("changed 1 library and 10 config files; built snapshot " + second.id().substring(0, 12) + " (parent "
                + second.manifest().parent().substring(0, 12) + ")");
        Set<String> firstChunks = new HashSet<>();
        first.manifest().archives().forEach(a -> a.chunks().forEach(c -> firstChunks.add(c.id())));
        long shared = second.manifest().archives().stream().flatMap(a -> a.chunks().stream())
                .filter(c -> firstChunks.contains(c.id())).count();
        out.printf("             shares %d of %d chunks with its parent; the update stored %d new chunks, %s%n",
                shared, second.totalChunks(), second.newChunks(), Sizes.human(second.newBytes()));
        step("done; try: node/meshboot image --help");
    }

    private void step(String what) {
        out.printf("[%6.2f s]  %s%n", (System.nanoTime() - start) / 1e9, what);
        out.flush();
    }
}
