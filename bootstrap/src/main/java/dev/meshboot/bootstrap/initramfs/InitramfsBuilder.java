package dev.meshboot.bootstrap.initramfs;

import com.github.luben.zstd.ZstdInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Builds the meshboot initramfs: busybox (with a link for each applet), GNU tar and zstd and the disk tools with
 * the libraries they load, the kernel's drivers chosen by {@link KernelModules} with the alias and load-order tables
 * {@code /init} reads, and the {@code /init} script itself. The result is reproducible: the same inputs give the
 * same bytes ({@link CpioImage}).
 */
public final class InitramfsBuilder {
    private static final String RESOURCES = "/dev/meshboot/bootstrap/initramfs/";

    private final Consumer<String> warnings;

    public InitramfsBuilder(Consumer<String> warnings) {
        this.warnings = warnings;
    }

    /** What was built, and what it holds. */
    public record Result(byte[] image, List<String> modules, List<String> missingDrivers, List<String> tools) {}

    public Result build(InitramfsSpec spec) throws IOException, InterruptedException {
        CpioImage img = new CpioImage();
        for (String d : List.of("bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "run", "tmp", "newroot",
                "etc", "lib/meshboot", "mnt")) {
            img.directory(d, 0755);
        }
        img.directory("tmp", 01777);
        img.characterDevice("dev/console", 0600, 5, 1);
        img.characterDevice("dev/null", 0666, 1, 3);
        img.file("init", 0755, resource("init"));
        img.file("lib/meshboot/functions.sh", 0644, resource("functions.sh"));
        img.file("lib/meshboot/udhcpc.script", 0755, resource("udhcpc.script"));

        img.file("bin/busybox", 0755, Files.readAllBytes(spec.busybox()));
        if (!SharedLibraries.of(spec.busybox()).isEmpty()) {
            throw new IOException(spec.busybox() + " is dynamically linked; the initramfs needs busybox-static");
        }
        List<String> toolNames = new ArrayList<>();
        for (Path tool : spec.tools()) {
            if (!Files.isRegularFile(tool)) {
                warnings.accept("tool " + tool + " not found; /init cannot use it");
                continue;
            }
            img.file(tool.toString(), 0755, Files.readAllBytes(tool));
            toolNames.add(tool.getFileName().toString());
            for (String lib : SharedLibraries.of(tool)) {
                if (!img.contains(lib)) {
                    img.file(lib, 0755, Files.readAllBytes(Path.of(lib)));
                }
            }
        }
        for (String applet : applets(spec.busybox())) {
            String link = "bin/" + applet;
            if (!applet.equals("busybox") && !toolNames.contains(applet) && !img.contains(link)) {
                img.symlink(link, "busybox");
            }
        }
        for (Map.Entry<String, Path> e : new TreeMap<>(spec.extraFiles()).entrySet()) {
            img.file(e.getKey(), 0644, Files.readAllBytes(e.getValue()));
        }
        List<String> wanted = new ArrayList<>(spec.drivers());
        wanted.addAll(spec.alwaysLoad());
        KernelModules.Selection sel = KernelModules.read(spec.modules()).select(wanted);
        String modDir = "lib/modules/" + spec.kernelVersion() + "/";
        img.directory(modDir, 0755);
        for (String file : sel.files()) {
            img.file(modDir + stripCompression(file), 0644, moduleBytes(spec.modules().resolve(file)));
        }
        StringBuilder dep = new StringBuilder();
        for (KernelModules.Loadable l : sel.modules()) {
            dep.append(l.name()).append(':');
            l.loadOrder().forEach(p -> dep.append(' ').append(stripCompression(p)));
            dep.append('\n');
        }
        // Every shipped module gets a line, so a dependency can be loaded by name as well.
        for (String f : sel.files()) {
            String name = KernelModules.nameOf(f);
            if (sel.modules().stream().noneMatch(l -> l.name().equals(name))) {
                dep.append(name).append(": ").append(stripCompression(f)).append('\n');
            }
        }
        StringBuilder alias = new StringBuilder();
        sel.aliases().forEach(a -> alias.append(a.pattern()).append(' ').append(a.module()).append('\n'));
        StringBuilder always = new StringBuilder();
        spec.alwaysLoad().stream().map(KernelModules::normalise)
                .filter(n -> sel.modules().stream().anyMatch(l -> l.name().equals(n)))
                .forEach(n -> always.append(n).append('\n'));
        img.file(modDir + "meshboot.dep", 0644, dep.toString().getBytes(StandardCharsets.UTF_8));
        img.file(modDir + "meshboot.alias", 0644, alias.toString().getBytes(StandardCharsets.UTF_8));
        img.file(modDir + "meshboot.always", 0644, always.toString().getBytes(StandardCharsets.UTF_8));
        if (!sel.missing().isEmpty()) {
            warnings.accept("kernel " + spec.kernelVersion() + " has no module for " + sel.missing());
        }
        List<String> mods = sel.modules().stream().map(KernelModules.Loadable::name).toList();
        return new Result(img.toGzip(), mods, List.copyOf(sel.missing()), toolNames);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = InitramfsBuilder.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IOException("resource " + name + " missing from the meshboot jar");
            }
            return in.readAllBytes();
        }
    }

    private static String stripCompression(String path) {
        return path.replaceFirst("\\.ko\\.(xz|zst)$", ".ko");
    }

    /** A module's bytes, decompressed when the kernel ships them compressed (busybox insmod loads plain .ko). */
    private static byte[] moduleBytes(Path file) throws IOException, InterruptedException {
        String name = file.getFileName().toString();
        if (name.endsWith(".ko.zst")) {
            try (InputStream in = new ZstdInputStream(Files.newInputStream(file))) {
                return in.readAllBytes();
            }
        }
        if (name.endsWith(".ko.xz")) {
            Process p = new ProcessBuilder("xz", "-dc", file.toString()).redirectErrorStream(false).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("xz -dc " + file + " failed");
            }
            return out;
        }
        return Files.readAllBytes(file);
    }

    private static List<String> applets(Path busybox) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(busybox.toString(), "--list").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(busybox + " --list failed");
        }
        return out.lines().filter(l -> l.matches("[A-Za-z0-9._\\[-]+")).sorted().toList();
    }

}
