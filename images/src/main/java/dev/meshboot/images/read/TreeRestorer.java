package dev.meshboot.images.read;

import dev.meshboot.images.ArchiveFormatException;
import dev.meshboot.images.paths.ConfinedPath;
import dev.meshboot.images.posix.Posix;
import dev.meshboot.images.posix.PosixException;
import dev.meshboot.images.tar.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Recreates tar members as files under a root: data (holes kept), ownership, all twelve mode bits, every xattr
 * namespace, POSIX ACLs, capabilities, device numbers and nanosecond mtimes.
 *
 * <p>Order matters and is fixed: lchown first (chown clears setuid bits and file capabilities), then chmod, then
 * xattrs (an ACL's mask follows the mode), then times; directories get theirs at {@link #finish}, deepest first,
 * since writing into a directory changes its mtime.
 *
 * <p>Safety: every name is confined with {@link ConfinedPath}, and no member is written through a symlink, even
 * one the same archive planted. As non-root, ownership, devices and privileged xattrs degrade with a warning.
 */
public final class TreeRestorer {
    private record DirectoryMetadata(Path path, TarEntry entry) {}

    private final Path root;
    private final Consumer<String> warnings;
    private final boolean privileged;
    private final Set<Path> knownDirectories = new HashSet<>();
    private final List<DirectoryMetadata> directories = new ArrayList<>();
    private final byte[] buffer = new byte[256 * 1024];
    private long ownershipSkipped;

    public TreeRestorer(Path root, Consumer<String> warnings) {
        this.root = root;
        this.warnings = warnings;
        this.privileged = Posix.isRoot();
        knownDirectories.add(root);
    }

    /** Creates one member; {@code data} yields its stored data (for a sparse file, the segments in order). */
    public void apply(TarEntry e, InputStream data) throws IOException {
        Path path = ConfinedPath.resolve(root, e.name());
        if (!path.equals(root)) {
            ensureParent(path, e.name());
        }
        switch (e.type()) {
            case DIRECTORY -> directory(path, e);
            case REGULAR -> {
                writeData(path, e, data);
                metadata(path, e);
            }
            case HARDLINK -> {
                Path target = ConfinedPath.resolve(root, e.linkName());
                ConfinedPath.requireNoSymlinkAncestors(root, target, e.linkName());
                if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new ArchiveFormatException("hard link '" + ConfinedPath.printable(e.name())
                            + "' points to '" + ConfinedPath.printable(e.linkName())
                            + "', which is not an earlier file of the archive");
                }
                try {
                    Files.createLink(path, target);
                } catch (FileAlreadyExistsException x) {
                    replaceable(path, e);
                    Files.createLink(path, target);
                }
            }
            case SYMLINK -> {
                try {
                    Files.createSymbolicLink(path, Path.of(e.linkName()));
                } catch (FileAlreadyExistsException x) {
                    replaceable(path, e);
                    Files.createSymbolicLink(path, Path.of(e.linkName()));
                }
                metadata(path, e);
            }
            case CHAR_DEVICE, BLOCK_DEVICE, FIFO -> {
                replaceable(path, e);
                int typeBits = switch (e.type()) {
                    case CHAR_DEVICE -> 020000;
                    case BLOCK_DEVICE -> 060000;
                    default -> 010000;
                };
                try {
                    Posix.mknod(path, typeBits | (e.mode() & 0777), Posix.makedev(e.devMajor(), e.devMinor()));
                } catch (PosixException x) {
                    if (!x.isPermissionOrSupport()) {
                        throw x;
                    }
                    warnings.accept("skipped device " + e.name() + " (" + e.devMajor() + "," + e.devMinor()
                            + "): mknod needs root");
                    return;
                }
                metadata(path, e);
            }
        }
    }

    /** Applies directory metadata, deepest first, and reports what degraded. */
    public void finish() throws IOException {
        for (int i = directories.size() - 1; i >= 0; i--) {
            DirectoryMetadata d = directories.get(i);
            metadata(d.path(), d.entry());
        }
        directories.clear();
        if (ownershipSkipped > 0) {
            warnings.accept("ownership of " + ownershipSkipped + " entries not restored: not running as root");
        }
    }

    private void directory(Path path, TarEntry e) throws IOException {
        if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            replaceable(path, e);
            Files.createDirectory(path);
        }
        knownDirectories.add(path);
        directories.add(new DirectoryMetadata(path, e));
    }

    /** Makes sure the parent exists as a real directory under the root, reached through no symlink. */
    private void ensureParent(Path path, String name) throws IOException {
        Path parent = path.getParent();
        if (knownDirectories.contains(parent)) {
            return;
        }
        ConfinedPath.requireNoSymlinkAncestors(root, path, name);
        Files.createDirectories(parent);
        for (Path p = parent; p != null && !p.equals(root); p = p.getParent()) {
            knownDirectories.add(p);
        }
    }

    /** A later member of the same name replaces an earlier non-directory, as tar does; a directory is never replaced. */
    private static void replaceable(Path path, TarEntry e) throws IOException {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(path.toString(), null,
                    "member '" + ConfinedPath.printable(e.name()) + "' would replace a directory");
        }
        Files.deleteIfExists(path);
    }

    /**
     * Creates the file exclusively (O_EXCL, which also refuses to follow a symlink planted at its name); only when
     * the name is taken is the earlier member removed, so a fresh tree costs no extra system calls.
     */
    private static FileChannel create(Path path, TarEntry e) throws IOException {
        try {
            return FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException x) {
            replaceable(path, e);
            return FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
    }

    private void writeData(Path path, TarEntry e, InputStream data) throws IOException {
        try (FileChannel ch = create(path, e)) {
            if (e.isSparse()) {
                for (TarEntry.Segment s : e.sparse()) {
                    copy(data, ch, s.offset(), s.length(), e);
                }
            } else {
                copy(data, ch, 0, e.size(), e);
            }
        }
        if (e.isSparse()) {
            Posix.truncate(path, e.size()); // the trailing hole
        }
    }

    private void copy(InputStream in, FileChannel ch, long position, long length, TarEntry e) throws IOException {
        long left = length;
        long pos = position;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new ArchiveFormatException("Truncated archive: member '" + ConfinedPath.printable(e.name())
                        + "' ends early");
            }
            ByteBuffer b = ByteBuffer.wrap(buffer, 0, n);
            while (b.hasRemaining()) {
                pos += ch.write(b, pos);
            }
            left -= n;
        }
    }

    private void metadata(Path path, TarEntry e) throws IOException {
        if (privileged) {
            Posix.lchown(path, (int) e.uid(), (int) e.gid());
        } else {
            ownershipSkipped++;
        }
        if (e.type() != TarEntry.Type.SYMLINK) {
            Posix.chmod(path, e.mode());
        }
        for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
            try {
                Posix.setXattr(path, x.getKey(), x.getValue());
            } catch (PosixException ex) {
                if (!ex.isPermissionOrSupport()) {
                    throw ex;
                }
                warnings.accept("xattr " + x.getKey() + " of " + e.name() + " not restored: " + ex.getMessage());
            }
        }
        Posix.setTimes(path, e.mtimeSeconds(), e.mtimeNanos());
    }
}
