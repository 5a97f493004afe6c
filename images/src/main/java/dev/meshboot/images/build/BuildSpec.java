package dev.meshboot.images.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.meshboot.images.BuildSpecException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * What goes where in a snapshot: which paths form the "extras" archive (documentation, headers, caches and
 * package trees a running node does not need), which environmental paths are left out so each node gets its own
 * identity at boot, and which are kept as empty files.
 *
 * <p>The {@code --split} file is JSON, each key optional (a missing key keeps the default):
 * <pre>{"extras": ["usr/share/doc", ...], "exclude": ["etc/ssh/ssh_host_*_key", ...], "empty": ["etc/machine-id"]}</pre>
 * {@code extras} entries are path prefixes; {@code exclude} and {@code empty} entries are globs ({@code *} within a
 * component, {@code **} across components) on paths relative to the root. Excluding a directory excludes its
 * subtree; {@code dir/*} keeps the directory and leaves out its contents.
 */
public record BuildSpec(List<String> extras, List<String> exclude, List<String> empty) {

    public static final List<String> DEFAULT_EXTRAS = List.of(
            "usr/share/doc", "usr/share/man", "usr/share/info", "usr/src", "usr/include", "var/cache",
            "var/db/repos", "usr/portage");

    /** Node identity and kernel-provided trees: each node makes its own (docs/snapshot-format.md says how). */
    public static final List<String> DEFAULT_EXCLUDE = List.of(
            "etc/ssh/ssh_host_*_key", "etc/ssh/ssh_host_*_key.pub", "var/lib/systemd/random-seed",
            "var/lib/urandom/random-seed", "var/lib/systemd/credential.secret", "var/lib/dbus/machine-id",
            "proc/*", "sys/*", "dev/pts/*", "dev/shm/*", "dev/mqueue/*", "dev/hugepages/*", "run/*", "tmp/*");

    /** Kept as empty files: an empty /etc/machine-id tells systemd to make a new one on first boot. */
    public static final List<String> DEFAULT_EMPTY = List.of("etc/machine-id");

    public static final BuildSpec DEFAULT = new BuildSpec(DEFAULT_EXTRAS, DEFAULT_EXCLUDE, DEFAULT_EMPTY);

    private static final Set<String> KEYS = Set.of("extras", "exclude", "empty");

    public BuildSpec {
        extras = List.copyOf(extras);
        exclude = List.copyOf(exclude);
        empty = List.copyOf(empty);
    }

    /** Reads a spec file; every mistake names the file, the field, the value and the reason. */
    public static BuildSpec read(Path file) throws IOException {
        JsonNode root;
        try {
            root = JsonMapper.builder().build().readTree(Files.readAllBytes(file));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new BuildSpecException(file + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new BuildSpecException(file + ": expected a JSON object with keys " + KEYS);
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new BuildSpecException(file + ": field '" + key + "': unknown field (expected one of "
                        + KEYS + ")");
            }
        }
        return new BuildSpec(
                list(file, root, "extras", DEFAULT_EXTRAS, false),
                list(file, root, "exclude", DEFAULT_EXCLUDE, true),
                list(file, root, "empty", DEFAULT_EMPTY, true));
    }

    private static List<String> list(Path file, JsonNode root, String field, List<String> fallback, boolean glob)
            throws BuildSpecException {
        JsonNode node = root.get(field);
        if (node == null) {
            return fallback;
        }
        if (!node.isArray()) {
            throw new BuildSpecException(file + ": field '" + field + "' is " + node + ": expected an array of paths");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode v = node.get(i);
            String where = file + ": field '" + field + "[" + i + "]' value " + v;
            if (!v.isTextual()) {
                throw new BuildSpecException(where + ": expected a string");
            }
            String p = v.asText();
            if (p.isEmpty() || p.startsWith("/") || p.endsWith("/") && !glob) {
                throw new BuildSpecException(where + ": expected a path relative to the root, like usr/share/doc");
            }
            if (("/" + p + "/").contains("/../")) {
                throw new BuildSpecException(where + ": '..' is not allowed");
            }
            if (!glob && (p.contains("*") || p.contains("?") || p.contains("["))) {
                throw new BuildSpecException(where + ": extras entries are path prefixes, not globs");
            }
            if (glob) {
                try {
                    FileSystems.getDefault().getPathMatcher("glob:" + p);
                } catch (IllegalArgumentException e) {
                    throw new BuildSpecException(where + ": not a valid glob: " + e.getMessage());
                }
            }
            out.add(p);
        }
        return out;
    }

    /** The spec compiled for matching. */
    Matcher matcher() {
        return new Matcher(this);
    }

    /** Compiled matchers; cheap to query for every path of a tree. */
    static final class Matcher {
        /** A glob and its literal prefix: most paths fail the cheap prefix test and never reach the regex. */
        private record Glob(String prefix, PathMatcher matcher) {
            static Glob of(String glob) {
                int meta = 0;
                while (meta < glob.length() && "*?[{\\".indexOf(glob.charAt(meta)) < 0) {
                    meta++;
                }
                return new Glob(glob.substring(0, meta), FileSystems.getDefault().getPathMatcher("glob:" + glob));
            }
        }

        private final List<String> extras;
        private final List<Glob> exclude = new ArrayList<>();
        private final List<Glob> empty = new ArrayList<>();

        Matcher(BuildSpec spec) {
            this.extras = spec.extras();
            spec.exclude().forEach(g -> exclude.add(Glob.of(g)));
            spec.empty().forEach(g -> empty.add(Glob.of(g)));
        }

        boolean isExtras(String rel) {
            for (String prefix : extras) {
                if (rel.equals(prefix) || rel.startsWith(prefix) && rel.charAt(prefix.length()) == '/') {
                    return true;
                }
            }
            return false;
        }

        boolean isExcluded(String rel) {
            return matches(exclude, rel);
        }

        boolean isEmptied(String rel) {
            return matches(empty, rel);
        }

        private static boolean matches(List<Glob> globs, String rel) {
            if (rel.isEmpty()) {
                return false;
            }
            Path p = null;
            for (Glob g : globs) {
                if (rel.startsWith(g.prefix())) {
                    p = p == null ? Path.of(rel) : p;
                    if (g.matcher().matches(p)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
