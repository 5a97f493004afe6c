package dev.meshboot.bootstrap.initramfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A kernel's module tree as {@code depmod} describes it ({@code modules.dep}, {@code modules.alias},
 * {@code modules.builtin}), and the closure of a set of wanted modules: each with its dependencies, in load
 * order. Pure parsing of the depmod files; reading the {@code .ko} files is the builder's job.
 *
 * <p>{@code modules.dep} lists a module's dependencies so that the last must be loaded first (kmod's
 * {@code modprobe} inserts them in reverse order); names are normalised with {@code _} for {@code -}, as the kernel
 * does.
 */
public final class KernelModules {
    /** A chosen module: its name, and the relative paths of the files to insert, dependencies first, itself last. */
    public record Loadable(String name, List<String> loadOrder) {}

    /** A {@code modules.alias} line: a glob over device modaliases, and the module that drives them. */
    public record Alias(String pattern, String module) {}

    /** What a selection found: modules to ship, wanted names built into the kernel, and names it does not have. */
    public record Selection(List<Loadable> modules, List<Alias> aliases, Set<String> builtIn, Set<String> missing) {
        /** Every file the selection needs, each once. */
        public Set<String> files() {
            Set<String> out = new TreeSet<>();
            modules.forEach(m -> out.addAll(m.loadOrder()));
            return out;
        }
    }

    private final Map<String, String> pathByName = new HashMap<>();
    private final Map<String, List<String>> depsByPath = new HashMap<>();
    private final List<Alias> aliases = new ArrayList<>();
    private final Set<String> builtIn = new TreeSet<>();

    private KernelModules() {}

    /** Reads {@code DIR/modules.dep} (required), {@code modules.alias} and {@code modules.builtin} (optional). */
    public static KernelModules read(Path dir) throws IOException {
        Path dep = dir.resolve("modules.dep");
        if (!Files.isRegularFile(dep)) {
            throw new IOException(dir + " has no modules.dep (run depmod for this kernel)");
        }
        Path alias = dir.resolve("modules.alias");
        Path builtin = dir.resolve("modules.builtin");
        return parse(Files.readString(dep, StandardCharsets.UTF_8),
                Files.isRegularFile(alias) ? Files.readString(alias, StandardCharsets.UTF_8) : "",
                Files.isRegularFile(builtin) ? Files.readString(builtin, StandardCharsets.UTF_8) : "");
    }

    static KernelModules parse(String modulesDep, String modulesAlias, String modulesBuiltin) {
        KernelModules k = new KernelModules();
        for (String line : modulesDep.split("\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String path = line.substring(0, colon).trim();
            List<String> deps = new ArrayList<>();
            for (String d : line.substring(colon + 1).trim().split("\\s+")) {
                if (!d.isEmpty()) {
                    deps.add(d);
                }
            }
            k.depsByPath.put(path, deps);
            k.pathByName.put(nameOf(path), path);
        }
        for (String line : modulesAlias.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[0].equals("alias")) {
                k.aliases.add(new Alias(f[1], normalise(f[2])));
            }
        }
        for (String line : modulesBuiltin.split("\n")) {
            if (!line.isBlank()) {
                k.builtIn.add(nameOf(line.trim()));
            }
        }
        return k;
    }

    /** The module name of a path: {@code kernel/drivers/net/virtio_net.ko.xz} is {@code virtio_net}. */
    static String nameOf(String path) {
        String base = path.substring(path.lastIndexOf('/') + 1);
        int ko = base.indexOf(".ko");
        return normalise(ko < 0 ? base : base.substring(0, ko));
    }

    static String normalise(String name) {
        return name.replace('-', '_');
    }

    /** The wanted modules with their dependency closures, and the aliases of every module shipped. */
    public Selection select(Collection<String> wanted) {
        Map<String, Loadable> chosen = new LinkedHashMap<>();
        Set<String> built = new TreeSet<>();
        Set<String> missing = new TreeSet<>();
        for (String w : wanted) {
            String name = normalise(w);
            String path = pathByName.get(name);
            if (path == null) {
                (builtIn.contains(name) ? built : missing).add(name);
                continue;
            }
            chosen.putIfAbsent(name, new Loadable(name, loadOrder(path)));
        }
        Set<String> shipped = new TreeSet<>();
        for (Loadable l : chosen.values()) {
            l.loadOrder().forEach(p -> shipped.add(nameOf(p)));
        }
        // Dependencies are shipped too, so they may carry aliases of their own (virtio_pci pulls in nothing, but
        // a bus driver's alias must be matched for the devices behind it to appear).
        List<Alias> a = aliases.stream().filter(x -> shipped.contains(x.module())).toList();
        return new Selection(List.copyOf(chosen.values()), a, built, missing);
    }

    private List<String> loadOrder(String path) {
        LinkedHashSet<String> order = new LinkedHashSet<>();
        visit(path, order, new HashSet<>());
        return List.copyOf(order);
    }

    private void visit(String path, LinkedHashSet<String> order, Set<String> visiting) {
        if (order.contains(path) || !visiting.add(path)) {
            return; // already placed, or a cycle (depmod refuses those; a corrupt file must not loop us)
        }
        List<String> deps = depsByPath.getOrDefault(path, List.of());
        for (int i = deps.size() - 1; i >= 0; i--) {
            visit(deps.get(i), order, visiting);
        }
        order.add(path);
    }
}
