package dev.meshboot.images.tar;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One member of a tar stream, as meshboot writes and reads it: everything {@code lstat}, {@code llistxattr} and
 * {@code readlink} tell about a file, and nothing else (no user or group names: ownership is numeric, as
 * {@code tar --numeric-owner} restores it).
 *
 * @param type what kind of file
 * @param name relative path, without a leading {@code ./} or a trailing {@code /}; "" is the root directory
 * @param linkName symlink target, or the earlier member a hard link points to; "" otherwise
 * @param mode the twelve permission bits (setuid, setgid, sticky, rwx), without the type bits
 * @param size the file's length: for a sparse file its apparent size, not the bytes stored
 * @param xattrs extended attributes by full name ({@code user.*}, {@code trusted.*}, {@code security.*},
 *     {@code system.posix_acl_*}), sorted, so the same file always gives the same bytes
 * @param sparse the data segments of a sparse file (holes are the gaps), or null for a dense file
 */
public record TarEntry(
        Type type,
        String name,
        String linkName,
        int mode,
        long uid,
        long gid,
        long size,
        long mtimeSeconds,
        int mtimeNanos,
        long devMajor,
        long devMinor,
        Map<String, byte[]> xattrs,
        List<Segment> sparse) {

    /** The member types of POSIX ustar (IEEE 1003.1-2001, {@code typeflag}). */
    public enum Type {
        REGULAR('0'),
        HARDLINK('1'),
        SYMLINK('2'),
        CHAR_DEVICE('3'),
        BLOCK_DEVICE('4'),
        DIRECTORY('5'),
        FIFO('6');

        final char flag;

        Type(char flag) {
            this.flag = flag;
        }
    }

    /** A run of data at {@code offset} of {@code length} bytes in a sparse file. */
    public record Segment(long offset, long length) {}

    public TarEntry {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        linkName = linkName == null ? "" : linkName;
        xattrs = Collections.unmodifiableSortedMap(new TreeMap<>(xattrs == null ? Map.of() : xattrs));
        sparse = sparse == null ? null : List.copyOf(sparse);
    }

    /** Bytes of file data the stream carries for this member: the segments of a sparse file, the whole of a dense one. */
    public long storedDataBytes() {
        if (type != Type.REGULAR) {
            return 0;
        }
        if (sparse == null) {
            return size;
        }
        long total = 0;
        for (Segment s : sparse) {
            total += s.length();
        }
        return total;
    }

    public boolean isSparse() {
        return sparse != null;
    }
}
