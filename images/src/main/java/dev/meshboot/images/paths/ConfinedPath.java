package dev.meshboot.images.paths;

import dev.meshboot.images.PathEscapeException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one home of path-escape checking, for archive extraction now and for the TFTP and HTTP servers that serve
 * files from a root later. A name from an archive or from the wire is untrusted: it may be absolute, climb with
 * {@code ..}, carry a NUL, or pass through a symlink planted earlier in the same archive.
 */
public final class ConfinedPath {
    /** Linux's PATH_MAX: no legitimate name is longer, and refusing early bounds every later allocation. */
    public static final int MAX_NAME_BYTES = 4096;

    private ConfinedPath() {}

    /**
     * Normalises an untrusted relative name: drops leading {@code ./} and empty or {@code .} components, and refuses
     * absolute names, {@code ..} components, NUL bytes and over-long names. Returns "" for the root itself.
     */
    public static String normalize(String name) throws PathEscapeException {
        if (name.indexOf('\0') >= 0) {
            throw new PathEscapeException("refused '" + printable(name) + "': contains a NUL byte");
        }
        if (name.length() > MAX_NAME_BYTES) {
            throw new PathEscapeException("refused '" + printable(name).substring(0, 64) + "...': name longer than "
                    + MAX_NAME_BYTES + " bytes");
        }
        if (name.startsWith("/")) {
            throw new PathEscapeException("refused '" + printable(name) + "': absolute path");
        }
        StringBuilder out = new StringBuilder(name.length());
        for (String part : name.split("/", -1)) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new PathEscapeException("refused '" + printable(name) + "': '..' component escapes the target");
            }
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(part);
        }
        return out.toString();
    }

    /** {@code root} resolved with the normalised {@code name}; lexically inside {@code root} by construction. */
    public static Path resolve(Path root, String name) throws PathEscapeException {
        String normal = normalize(name);
        return normal.isEmpty() ? root : root.resolve(normal);
    }

    /**
     * Refuses {@code target} if any directory between {@code root} (exclusive) and {@code target} (exclusive) is a
     * symlink, so that an entry written there cannot land outside the root. The caller passes a name already
     * normalised by {@link #normalize}.
     */
    public static void requireNoSymlinkAncestors(Path root, Path target, String name) throws PathEscapeException {
        Path relative = root.relativize(target);
        Path current = root;
        for (int i = 0; i < relative.getNameCount() - 1; i++) {
            current = current.resolve(relative.getName(i));
            if (Files.isSymbolicLink(current)) {
                throw new PathEscapeException("refused '" + printable(name) + "': its parent '" + root.relativize(current)
                        + "' is a symlink, and writing through it could escape the target");
            }
        }
    }

    /** The name with control characters escaped, safe to put in a log line or an error message. */
    public static String printable(String name) {
        StringBuilder b = new StringBuilder(Math.min(name.length(), 512));
        for (int i = 0; i < name.length() && b.length() < 512; i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
