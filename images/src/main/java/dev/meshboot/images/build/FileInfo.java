package dev.meshboot.images.build;

import dev.meshboot.images.posix.Posix;
import java.io.IOException;
import java.nio.file.Path;

/** One {@code lstat} of a file (through statx, {@link Posix#lstat}), reduced to what a tar member needs. */
record FileInfo(int mode, long ino, long dev, long rdevMajor, long rdevMinor, long nlink, long uid, long gid,
        long size, long blocks, long mtimeSeconds, int mtimeNanos) {

    static final int S_IFMT = 0170000;
    static final int S_IFSOCK = 0140000;
    static final int S_IFLNK = 0120000;
    static final int S_IFREG = 0100000;
    static final int S_IFBLK = 060000;
    static final int S_IFDIR = 040000;
    static final int S_IFCHR = 020000;
    static final int S_IFIFO = 010000;

    static FileInfo lstat(Path path) throws IOException {
        Posix.FileStat s = Posix.lstat(path);
        return new FileInfo(s.mode(), s.ino(), s.dev(), s.rdevMajor(), s.rdevMinor(), s.nlink(), s.uid(), s.gid(),
                s.size(), s.blocks(), s.mtimeSeconds(), s.mtimeNanos());
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

    /** True when fewer bytes are allocated than the file's length: it may have holes worth finding. */
    boolean mayHaveHoles() {
        return blocks * 512 < size;
    }

    /** Identity of the inode, for hard-link groups. */
    InodeKey inode() {
        return new InodeKey(dev, ino);
    }

    record InodeKey(long dev, long ino) {}
}
