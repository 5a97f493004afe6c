package dev.meshboot.bootstrap.artifacts;

import dev.meshboot.bootstrap.initramfs.InitramfsBuilder;
import dev.meshboot.bootstrap.initramfs.InitramfsSpec;
import dev.meshboot.images.paths.Trees;
import dev.meshboot.images.read.SnapshotReader;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.images.tar.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes a snapshot's boot artifacts from the snapshot itself: its kernel ({@code /boot/vmlinuz-VERSION}) and that
 * kernel's {@code /lib/modules/VERSION} make the initramfs, so an update rolls the kernel and the modules always
 * match. The iPXE binaries and GRUB's images come from the building machine ({@link Host}). Everything is stored as
 * blobs and named in the snapshot's {@link BootArtifacts} index.
 */
public final class ArtifactsBuilder {
    private static final Pattern KERNEL = Pattern.compile("boot/vmlinuz-([A-Za-z0-9._+-]+)");
    private static final Pattern MODULE_FILE = Pattern.compile("(?:usr/)?lib/modules/([A-Za-z0-9._+-]+)/(.+)");

    /** Where the building machine's tools are. */
    public record Host(Path busybox, List<Path> tools, Path ipxeDir, Path grubLib, Map<String, Path> extraFiles,
            List<String> drivers) {
        /** Debian's paths (busybox-static, tar, zstd, fdisk, e2fsprogs, dosfstools, ipxe, grub-*-bin). */
        public static Host debian() {
            List<String> drivers = new ArrayList<>(InitramfsSpec.NIC_DRIVERS);
            drivers.addAll(InitramfsSpec.STORAGE_DRIVERS);
            Map<String, Path> extra = new TreeMap<>();
            if (Files.isRegularFile(Path.of("/etc/mke2fs.conf"))) {
                extra.put("etc/mke2fs.conf", Path.of("/etc/mke2fs.conf"));
            }
            return new Host(Path.of("/bin/busybox"), InitramfsSpec.TOOLS, Path.of("/usr/lib/ipxe"),
                    Path.of("/usr/lib/grub"), extra, drivers);
        }

        public Host withDrivers(List<String> d) {
            return new Host(busybox, tools, ipxeDir, grubLib, extraFiles, d);
        }
    }

    /** The iPXE binaries served to firmware: BIOS chainload, and UEFI (full and SNP-only). */
    static final List<String> IPXE_FILES = List.of("undionly.kpxe", "ipxe.efi", "snponly.efi");

    private final Host host;
    private final Consumer<String> log;

    public ArtifactsBuilder(Host host, Consumer<String> log) {
        this.host = host;
        this.log = log;
    }

    public BootArtifacts build(SnapshotStore store, SnapshotStore.Snapshot snapshot)
            throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("meshboot-artifacts");
        try {
            Path root = work.resolve("root");
            Map<String, Path> kernels = new TreeMap<>();
            new SnapshotReader(store, snapshot).scan("core", (entry, data) -> take(entry, data, root, kernels));
            if (kernels.isEmpty()) {
                throw new IOException("snapshot " + snapshot.shortId() + " has no /boot/vmlinuz-VERSION: it cannot boot");
            }
            String version = newestWithModules(kernels, root);
            Path modules = root.resolve("lib/modules").resolve(version);
            if (!Files.isRegularFile(modules.resolve("modules.dep"))) {
                depmod(root, version);
            }
            log.accept("kernel " + version + " from the snapshot");
            ArtifactStore artifacts = new ArtifactStore(store.root());
            Map<String, BootArtifacts.Blob> files = new TreeMap<>();
            files.put("vmlinuz", artifacts.put(Files.readAllBytes(kernels.get(version))));
            List<String> always = new ArrayList<>(InitramfsSpec.FILESYSTEMS);
            InitramfsBuilder.Result initrd = new InitramfsBuilder(log).build(new InitramfsSpec(version, modules,
                    host.drivers(), always, host.busybox(), host.tools(), host.extraFiles()));
            files.put("initrd.img", artifacts.put(initrd.image()));
            log.accept("initramfs: " + initrd.image().length + " bytes, modules " + initrd.modules() + ", tools "
                    + initrd.tools());
            for (String name : IPXE_FILES) {
                Path f = host.ipxeDir().resolve(name);
                if (Files.isRegularFile(f)) {
                    files.put(name, artifacts.put(Files.readAllBytes(f)));
                } else {
                    log.accept("no " + f + " (Debian package ipxe): firmware that needs it cannot boot from this mesh");
                }
            }
            if (Files.isDirectory(host.grubLib())) {
                GrubImages.Images grub = GrubImages.build(host.grubLib());
                files.put("grub-boot.img", artifacts.put(grub.bootImg()));
                files.put("grub-core.img", artifacts.put(grub.coreImg()));
                files.put("BOOTX64.EFI", artifacts.put(grub.efi()));
            } else {
                log.accept("no " + host.grubLib() + " (grub-pc-bin, grub-efi-amd64-bin): disk installs cannot get a bootloader");
            }
            BootArtifacts index = new BootArtifacts(snapshot.id(), version, files);
            artifacts.commit(index);
            return index;
        } finally {
            Trees.delete(work);
        }
    }

    /** Copies the kernels and the module trees out of the archive; nothing else is written. */
    private static void take(TarEntry e, InputStream data, Path root, Map<String, Path> kernels) throws IOException {
        if (e.type() != TarEntry.Type.REGULAR || e.isSparse()) {
            return;
        }
        String name = e.name().startsWith("./") ? e.name().substring(2) : e.name();
        Matcher k = KERNEL.matcher(name);
        Matcher m = MODULE_FILE.matcher(name);
        Path target;
        if (k.matches()) {
            target = root.resolve("boot").resolve("vmlinuz-" + k.group(1));
            kernels.put(k.group(1), target);
        } else if (m.matches() && !m.group(2).contains("..")) {
            target = root.resolve("lib/modules").resolve(m.group(1)).resolve(m.group(2)).normalize();
            if (!target.startsWith(root.resolve("lib/modules").resolve(m.group(1)))) {
                return;
            }
        } else {
            return;
        }
        Files.createDirectories(target.getParent());
        Files.copy(data, target);
    }

    private static String newestWithModules(Map<String, Path> kernels, Path root) throws IOException {
        TreeSet<String> withModules = new TreeSet<>(Comparator.comparing(ArtifactsBuilder::versionKey));
        for (String v : kernels.keySet()) {
            if (Files.isDirectory(root.resolve("lib/modules").resolve(v))) {
                withModules.add(v);
            }
        }
        if (withModules.isEmpty()) {
            throw new IOException("the snapshot's kernels " + kernels.keySet() + " have no /lib/modules/VERSION");
        }
        return withModules.last();
    }

    /** Orders 6.1.0-9 before 6.1.0-10: digits compare as numbers. */
    static String versionKey(String v) {
        Matcher d = Pattern.compile("\\d+").matcher(v);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (d.find()) {
            out.append(v, last, d.start()).append(String.format("%010d", Long.parseLong(d.group())));
            last = d.end();
        }
        return out.append(v.substring(last)).toString();
    }

    private static void depmod(Path root, String version) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("depmod", "-b", root.toString(), version).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("the snapshot's modules have no modules.dep and depmod failed: " + out.strip());
        }
    }

}
