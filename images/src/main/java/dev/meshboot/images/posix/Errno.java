package dev.meshboot.images.posix;

/** Names for the errno values these calls can return; strerror(3) is not thread-safe, so we keep our own. */
final class Errno {
    private Errno() {}

    static String describe(int errno) {
        return switch (errno) {
            case 1 -> "Operation not permitted";
            case 2 -> "No such file or directory";
            case 5 -> "Input/output error";
            case 6 -> "No such device or address";
            case 9 -> "Bad file descriptor";
            case 13 -> "Permission denied";
            case 17 -> "File exists";
            case 20 -> "Not a directory";
            case 21 -> "Is a directory";
            case 22 -> "Invalid argument";
            case 28 -> "No space left on device";
            case 30 -> "Read-only file system";
            case 34 -> "Numerical result out of range";
            case 36 -> "File name too long";
            case 61 -> "No data available";
            case 95 -> "Operation not supported";
            default -> "error";
        };
    }
}
