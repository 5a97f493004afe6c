package dev.meshboot.images.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The few file-system calls the JDK does not offer, through the FFM API ({@code java.lang.foreign}), for Linux.
 *
 * <p>Why each one is here: {@code java.nio.file.attribute.UserDefinedFileAttributeView} sees only {@code user.*}
 * xattrs and follows symlinks, so it can neither read {@code trusted.*}, {@code security.*} or POSIX ACLs
 * ({@code system.posix_acl_*}) nor touch a symlink's own attributes; the JDK cannot find holes (lseek
 * {@code SEEK_DATA}/{@code SEEK_HOLE}), make device nodes or fifos (mknod), change a symlink's owner (lchown), set
 * the setuid/setgid/sticky bits (chmod), or set a symlink's mtime (utimensat with {@code AT_SYMLINK_NOFOLLOW}).
 *
 * <p>The handles are immutable and bound once; the class holds no mutable state. Every call that fails throws
 * {@link PosixException} with errno.
 */
@SuppressWarnings("restricted") // this is the one package that may call native code; see the class comment
public final class Posix {
    private static final Linker LINKER = Linker.nativeLinker();
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    // The downcall handles, one holder class each, bound on first use: binding spins classes, and a command
    // needs only a few of the calls, so binding all of them eagerly cost start-up time for nothing.
    private static final class Llistxattr {
        private Llistxattr() {}

        static final MethodHandle H =
                bind("llistxattr", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
    }

    private static final class Lgetxattr {
        private Lgetxattr() {}

        static final MethodHandle H =
                bind("lgetxattr", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    }

    private static final class Lsetxattr {
        private Lsetxattr() {}

        static final MethodHandle H =
                bind("lsetxattr", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
    }

    private static final class Open {
        private Open() {}

        static final MethodHandle H = LINKER.downcallHandle(
                LINKER.defaultLookup().find("open").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                Linker.Option.firstVariadicArg(2),
                Linker.Option.captureCallState("errno"));
    }

    private static final class Lseek {
        private Lseek() {}

        static final MethodHandle H =
                bind("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    }

    private static final class Close {
        private Close() {}

        static final MethodHandle H = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    private static final class Mknod {
        private Mknod() {}

        static final MethodHandle H =
                bind("mknod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
    }

    private static final class Lchown {
        private Lchown() {}

        static final MethodHandle H =
                bind("lchown", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }

    private static final class Chmod {
        private Chmod() {}

        static final MethodHandle H = bind("chmod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class Truncate {
        private Truncate() {}

        static final MethodHandle H =
                bind("truncate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private static final class Utimensat {
        private Utimensat() {}

        static final MethodHandle H =
                bind("utimensat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    }

    private static final class Statx {
        private Statx() {}

        static final MethodHandle H =
                bind("statx", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    }

    private static final class Geteuid {
        private Geteuid() {}

        static final MethodHandle H = LINKER.downcallHandle(
                LINKER.defaultLookup().find("geteuid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
    }

    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int O_NOFOLLOW = 0x20000;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    private static final int ENXIO = 6;
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final int STATX_SIZE = 256;
    /** Linux's XATTR_LIST_MAX and XATTR_SIZE_MAX: the kernel never returns more, so neither do we allocate more. */
    public static final int XATTR_MAX = 64 * 1024;

    private Posix() {}

    static MethodHandle bind(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(
                LINKER.defaultLookup().find(name).orElseThrow(), descriptor, Linker.Option.captureCallState("errno"));
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static MemorySegment cString(Arena arena, String s) {
        return arena.allocateFrom(s, StandardCharsets.UTF_8);
    }

    private static String pathString(Path path) {
        return path.toString();
    }

    /** One int-returning call on a path: 0 is success, anything else throws with errno. */
    @FunctionalInterface
    private interface PathCall {
        int invoke(MemorySegment state, MemorySegment path, Arena arena) throws Throwable;
    }

    private static void call(String name, Path path, PathCall call) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if (call.invoke(state, cString(arena, pathString(path)), arena) != 0) {
                throw new PosixException(name, pathString(path), errno(state));
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The names of every extended attribute of {@code path} itself (not a symlink's target), in kernel order. */
    public static List<String> listXattrs(Path path) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment p = cString(arena, pathString(path));
            // Ask for the size first: most files have no xattrs, and then one call with no buffer is all it takes.
            long size = (long) Llistxattr.H.invokeExact(state, p, MemorySegment.NULL, 0L);
            if (size == 0) {
                return List.of();
            }
            MemorySegment buf = arena.allocate(XATTR_MAX);
            long n = size < 0 ? size : (long) Llistxattr.H.invokeExact(state, p, buf, (long) XATTR_MAX);
            if (n < 0) {
                int e = errno(state);
                if (e == PosixException.EOPNOTSUPP) {
                    return List.of();
                }
                throw new PosixException("llistxattr", pathString(path), e);
            }
            List<String> names = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buf.get(JAVA_BYTE, i) == 0) {
                    if (i > start) {
                        names.add(new String(buf.asSlice(start, i - start).toArray(JAVA_BYTE), StandardCharsets.UTF_8));
                    }
                    start = i + 1;
                }
            }
            return names;
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The value of xattr {@code name} of {@code path} itself. */
    public static byte[] getXattr(Path path, String name) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment p = cString(arena, pathString(path));
            MemorySegment n = cString(arena, name);
            MemorySegment buf = arena.allocate(XATTR_MAX);
            long len = (long) Lgetxattr.H.invokeExact(state, p, n, buf, (long) XATTR_MAX);
            if (len < 0) {
                throw new PosixException("lgetxattr " + name, pathString(path), errno(state));
            }
            return buf.asSlice(0, len).toArray(JAVA_BYTE);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Sets xattr {@code name} on {@code path} itself, creating or replacing it. */
    public static void setXattr(Path path, String name, byte[] value) throws PosixException {
        call("lsetxattr " + name, path, (state, p, arena) -> {
            MemorySegment v = arena.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, JAVA_BYTE, 0, value.length);
            return (int) Lsetxattr.H.invokeExact(state, p, cString(arena, name), v, (long) value.length, 0);
        });
    }

    /**
     * The data segments of a regular file as {@code [offset, length]} pairs, found with lseek
     * {@code SEEK_DATA}/{@code SEEK_HOLE}. A file with no holes gives one segment {@code [0, size]}; a file system
     * without hole support reports the same, which is correct if not compact.
     */
    public static List<long[]> dataSegments(Path path, long size) throws PosixException {
        List<long[]> segments = new ArrayList<>();
        if (size == 0) {
            return segments;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment p = cString(arena, pathString(path));
            int fd = (int) Open.H.invokeExact(state, p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
            if (fd < 0) {
                throw new PosixException("open", pathString(path), errno(state));
            }
            try {
                long pos = 0;
                while (pos < size) {
                    long data = (long) Lseek.H.invokeExact(state, fd, pos, SEEK_DATA);
                    if (data < 0) {
                        int e = errno(state);
                        if (e == ENXIO) {
                            break; // only a hole remains
                        }
                        throw new PosixException("lseek SEEK_DATA", pathString(path), e);
                    }
                    long hole = (long) Lseek.H.invokeExact(state, fd, data, SEEK_HOLE);
                    if (hole < 0) {
                        throw new PosixException("lseek SEEK_HOLE", pathString(path), errno(state));
                    }
                    long end = Math.min(hole, size);
                    if (end > data) {
                        segments.add(new long[] {data, end - data});
                    }
                    pos = hole;
                }
            } finally {
                int ignored = (int) Close.H.invokeExact(state, fd);
            }
            return segments;
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** mknod(2): makes a character or block device or a fifo; {@code mode} includes the S_IF* type bits. */
    public static void mknod(Path path, int mode, long device) throws PosixException {
        call("mknod", path, (state, p, arena) -> (int) Mknod.H.invokeExact(state, p, mode, device));
    }

    /** lchown(2): sets the owner of {@code path} itself, symlinks included. */
    public static void lchown(Path path, int uid, int gid) throws PosixException {
        call("lchown", path, (state, p, arena) -> (int) Lchown.H.invokeExact(state, p, uid, gid));
    }

    /** chmod(2) with all twelve permission bits, setuid, setgid and sticky included. Never call it on a symlink. */
    public static void chmod(Path path, int mode) throws PosixException {
        call("chmod", path, (state, p, arena) -> (int) Chmod.H.invokeExact(state, p, mode & 07777));
    }

    /** truncate(2): sets a regular file's length, leaving a hole when it grows. */
    public static void truncate(Path path, long length) throws PosixException {
        call("truncate", path, (state, p, arena) -> (int) Truncate.H.invokeExact(state, p, length));
    }

    /** Sets the access and modification time of {@code path} itself (not a symlink's target), to the nanosecond. */
    public static void setTimes(Path path, long seconds, int nanos) throws PosixException {
        call("utimensat", path, (state, p, arena) -> {
            MemorySegment times = arena.allocate(JAVA_LONG, 4);
            times.setAtIndex(JAVA_LONG, 0, seconds);
            times.setAtIndex(JAVA_LONG, 1, nanos);
            times.setAtIndex(JAVA_LONG, 2, seconds);
            times.setAtIndex(JAVA_LONG, 3, nanos);
            return (int) Utimensat.H.invokeExact(state, AT_FDCWD, p, times, AT_SYMLINK_NOFOLLOW);
        });
    }

    /**
     * statx(2) without following a symlink. Used instead of the JDK's "unix:*" attribute view, which parses an
     * attribute string and builds a map per call, and because it also gives st_blocks, which tells a dense file
     * from a sparse one without probing for holes. statx's layout is the same on every architecture.
     */
    public static FileStat lstat(Path path) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buf = arena.allocate(STATX_SIZE, 8);
            int rc = (int) Statx.H.invokeExact(state, AT_FDCWD, cString(arena, pathString(path)), AT_SYMLINK_NOFOLLOW,
                    STATX_BASIC_STATS, buf);
            if (rc != 0) {
                throw new PosixException("statx", pathString(path), errno(state));
            }
            return new FileStat(
                    Short.toUnsignedInt(buf.get(JAVA_SHORT_UNALIGNED, 28)),
                    buf.get(JAVA_LONG_UNALIGNED, 32),
                    makedev(Integer.toUnsignedLong(buf.get(JAVA_INT_UNALIGNED, 136)),
                            Integer.toUnsignedLong(buf.get(JAVA_INT_UNALIGNED, 140))),
                    Integer.toUnsignedLong(buf.get(JAVA_INT_UNALIGNED, 128)),
                    Integer.toUnsignedLong(buf.get(JAVA_INT_UNALIGNED, 132)),
                    Integer.toUnsignedLong(buf.get(JAVA_INT_UNALIGNED, 16)),
                    Integer.toUnsignedLong(buf.get(JAVA_INT_UNALIGNED, 20)),
                    Integer.toUnsignedLong(buf.get(JAVA_INT_UNALIGNED, 24)),
                    buf.get(JAVA_LONG_UNALIGNED, 40),
                    buf.get(JAVA_LONG_UNALIGNED, 48),
                    buf.get(JAVA_LONG_UNALIGNED, 112),
                    buf.get(JAVA_INT_UNALIGNED, 120));
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * What statx tells about a file. {@code dev} is encoded like st_dev (see {@link #makedev}); {@code blocks}
     * counts 512-byte units actually allocated.
     */
    public record FileStat(int mode, long ino, long dev, long rdevMajor, long rdevMinor, long nlink, long uid,
            long gid, long size, long blocks, long mtimeSeconds, int mtimeNanos) {}

    /** True when this process may restore ownership, devices and trusted.* xattrs. */
    public static boolean isRoot() {
        try {
            return (int) Geteuid.H.invokeExact() == 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Linux's dev_t encoding (glibc's makedev): 12 bits of major and 20 of minor, split across the word. */
    public static long makedev(long major, long minor) {
        return ((major & 0xfffL) << 8) | ((major & ~0xfffL) << 32) | (minor & 0xffL) | ((minor & ~0xffL) << 12);
    }
}
