package dev.meshboot.images.build;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A depth-first walk of a root filesystem in sorted order (so two walks of the same tree visit the same sequence,
 * and two builds write the same bytes), skipping what the build spec excludes and never descending into another
 * file system. Both of a build's passes use it, so they agree on what the tree is.
 */
final class TreeWalk {
    /** Receives every entry below the root, parents before children. */
    @FunctionalInterface
    interface Visitor {
        void visit(Path path, String name, FileInfo info) throws IOException;
    }

    private final Path root;
    private final long rootDev;
    private final BuildSpec.Matcher spec;
    private final BuildListener listener;

    TreeWalk(Path root, long rootDev, BuildSpec.Matcher spec, BuildListener listener) {
        this.root = root;
        this.rootDev = rootDev;
        this.spec = spec;
        this.listener = listener;
    }

    /** Walks the tree; {@code warn} says whether this pass reports what it skips (one pass should). */
    void walk(Visitor visitor, boolean warn) throws IOException {
        walk(root, "", visitor, warn);
    }

    private void walk(Path dir, String rel, Visitor visitor, boolean warn) throws IOException {
        for (String child : sortedNames(dir)) {
            String name = rel.isEmpty() ? child : rel + "/" + child;
            if (spec.isExcluded(name)) {
                continue;
            }
            Path path = dir.resolve(child);
            FileInfo info = FileInfo.lstat(path);
            if (info.type() == FileInfo.S_IFSOCK) {
                if (warn) {
                    listener.warning("skipped socket " + name + " (a socket is recreated by the service that owns it)");
                }
                continue;
            }
            visitor.visit(path, name, info);
            if (info.isDirectory()) {
                if (info.dev() != rootDev) {
                    if (warn) {
                        listener.warning("kept mount point " + name + " empty: it is another file system");
                    }
                } else {
                    walk(path, name, visitor, warn);
                }
            }
        }
    }

    private static List<String> sortedNames(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(p -> names.add(p.getFileName().toString()));
        }
        names.sort(null);
        return names;
    }
}
