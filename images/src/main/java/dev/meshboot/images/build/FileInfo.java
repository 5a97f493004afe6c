package dev.meshboot.images.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;

/**
 * One {@code lstat(2)} of a file, through the JDK's "unix" attribute view (which exposes inode, device, rdev and
 * the full mode that the posix view hides).
 */
record FileInfo(int mode, long ino, long dev, long rdev, int nlink, long uid, long gid, long size, long mtimeSeconds,
        int mtimeNanos) {

    static final int S_IFMT = 0170000;
    static final int S_IFSOCK = 0140000;
    static final int S_IFLNK = 0120000;
    static final int S_IFREG = 0100000;
    static final int S_IFBLK = 060000;
    static final int S_IFDIR = 040000;
    static final int S_IFCHR = 020000;
    static final int S_IFIFO = 010000;

    static FileInfo lstat(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:mode,ino,dev,rdev,nlink,uid,gid,size,lastModifiedTime",
                LinkOption.NOFOLLOW_LINKS);
        Instant t = ((FileTime) a.get("lastModifiedTime")).toInstant();
        return new FileInfo((Integer) a.get("mode"), (Long) a.get("ino"), (Long) a.get("dev"), (Long) a.get("rdev"),
                (Integer) a.get("nlink"), Integer.toUnsignedLong((Integer) a.get("uid")),
                Integer.toUnsignedLong((Integer) a.get("gid")), (Long) a.get("size"), t.getEpochSecond(), t.getNano());
    }

    int type() {
        return mode & S_IFMT;
    }

    boolean isDirectory() {
        return type() == S_IFDIR;
    }

    boolean isRegular() {
        return type() == S_IFREG;
    }

    /** Identity of the inode, for hard-link groups. */
    InodeKey inode() {
        return new InodeKey(dev, ino);
    }

    record InodeKey(long dev, long ino) {}
}
