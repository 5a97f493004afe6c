package dev.meshboot.node.demo;

import dev.meshboot.bootstrap.artifacts.ArtifactStore;
import dev.meshboot.bootstrap.artifacts.BootArtifacts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The boot files the demo serves: the real ones where they exist, otherwise stand-ins of realistic size, labelled as
 * such. The real iPXE comes from Debian's {@code ipxe} package when it is installed ({@code /usr/lib/ipxe}); a real
 * kernel and initramfs come only from {@code meshboot artifacts build} output named with {@code --artifacts}, since
 * building them needs a snapshot with a kernel and takes minutes. The simulated machines never execute these
 * bytes, they only fetch and check them, so stand-ins exercise the same transfers.
 */
final class BootFiles {
    /** One file: its name in the artifact set, its bytes, and where they came from. */
    record File(String name, byte[] bytes, String origin) {}

    static final String KERNEL = "vmlinuz";
    static final String INITRAMFS = "initrd.img";
    static final String BIOS_IPXE = "undionly.kpxe";
    private static final Path DEBIAN_IPXE = Path.of("/usr/lib/ipxe");
    private static final long KERNEL_SIZE = 8L << 20;
    private static final long INITRAMFS_SIZE = 5L << 20;
    private static final long IPXE_SIZE = 70L << 10;

    private BootFiles() {}

    /**
     * The three files a BIOS machine boots with.
     *
     * @param artifacts a snapshot store holding {@code meshboot artifacts build} output, whose newest artifact set
     *     gives the kernel and initramfs
     */
    static List<File> choose(Optional<Path> artifacts) throws IOException {
        Optional<File> kernel = Optional.empty();
        Optional<File> initramfs = Optional.empty();
        if (artifacts.isPresent()) {
            ArtifactStore store = new ArtifactStore(artifacts.get());
            Path index = newestIndex(artifacts.get().resolve("artifacts"))
                    .orElseThrow(() -> new IOException(artifacts.get() + ": no artifact set (artifacts/*.json); run"
                            + " meshboot artifacts build --store " + artifacts.get() + " SNAPSHOT first"));
            BootArtifacts set = BootArtifacts.parse(Files.readAllBytes(index));
            String from = "real, from " + artifacts.get() + " (kernel " + set.kernelVersion() + ")";
            kernel = Optional.of(new File(KERNEL, read(store, set, KERNEL), from));
            initramfs = Optional.of(new File(INITRAMFS, read(store, set, INITRAMFS), from));
        }
        Path ipxe = DEBIAN_IPXE.resolve(BIOS_IPXE);
        File bios = Files.isReadable(ipxe) ? new File(BIOS_IPXE, Files.readAllBytes(ipxe), "real, from " + ipxe)
                : standIn(BIOS_IPXE, IPXE_SIZE, 3);
        return List.of(bios, kernel.orElse(standIn(KERNEL, KERNEL_SIZE, 1)),
                initramfs.orElse(standIn(INITRAMFS, INITRAMFS_SIZE, 2)));
    }

    private static byte[] read(ArtifactStore store, BootArtifacts set, String name) throws IOException {
        BootArtifacts.Blob b = set.file(name).orElseThrow(() -> new IOException("the artifact set of "
                + set.snapshot() + " has no " + name));
        return Files.readAllBytes(store.blobPath(b.sha256()));
    }

    private static Optional<Path> newestIndex(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}\\.json"))
                    .max(Comparator.comparing(p -> p.toFile().lastModified()));
        }
    }

    /** Random bytes (incompressible, like a real kernel) of a realistic size, the same on every run. */
    private static File standIn(String name, long size, long seed) {
        byte[] b = new byte[Math.toIntExact(size)];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < b.length; i += 8) {
            long v = r.nextLong();
            for (int j = 0; j < 8 && i + j < b.length; j++) {
                b[i + j] = (byte) (v >>> (8 * j));
            }
        }
        return new File(name, b, "stand-in: random bytes of a realistic size");
    }
}
