package dev.meshboot.images.posix;

import java.io.IOException;

/** A failed system call, with the call, the path and errno, so a caller can tell EPERM (degrade) from EIO (fail). */
public final class PosixException extends IOException {
    private static final long serialVersionUID = 1L;

    /** errno for "operation not permitted": an unprivileged caller. */
    public static final int EPERM = 1;
    /** errno for "no such attribute". */
    public static final int ENODATA = 61;
    /** errno for "operation not supported" (e.g. user.* xattrs on a symlink). */
    public static final int EOPNOTSUPP = 95;

    private final int errno;

    PosixException(String call, String path, int errno) {
        super(call + "(" + path + "): " + Errno.describe(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    /** True when the call failed for lack of privilege or support, not because the file system is broken. */
    public boolean isPermissionOrSupport() {
        return errno == EPERM || errno == 13 /* EACCES */ || errno == EOPNOTSUPP;
    }
}
