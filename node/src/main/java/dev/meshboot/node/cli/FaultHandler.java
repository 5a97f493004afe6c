package dev.meshboot.node.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;

/**
 * Turns a fault into one line on stderr and exit code 1. Bad input and I/O failures carry messages written for
 * operators (the file, entry, chunk or field at fault), so a stack trace would only hide them; anything else is a
 * bug and keeps its trace.
 */
final class FaultHandler implements CommandLine.IExecutionExceptionHandler {
    static final int FAULT = 1;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cli, CommandLine.ParseResult parseResult) {
        Throwable t = ex instanceof UncheckedIOException u ? u.getCause() : ex;
        if (t instanceof FileSystemException fs) {
            // The JDK's message is only the path; say what went wrong with it.
            cli.getErr().println("meshboot: " + fs.getFile() + ": " + describe(fs));
        } else if (t instanceof IOException || t instanceof IllegalArgumentException) {
            cli.getErr().println("meshboot: " + t.getMessage());
        } else {
            t.printStackTrace(cli.getErr());
        }
        cli.getErr().flush();
        return FAULT;
    }

    private static String describe(FileSystemException e) {
        String what = switch (e) {
            case AccessDeniedException a -> "permission denied";
            case NoSuchFileException n -> "no such file or directory";
            case FileAlreadyExistsException x -> "already exists";
            case NotDirectoryException d -> "not a directory";
            default -> "file system error";
        };
        return e.getReason() == null ? what : what + " (" + e.getReason() + ")";
    }
}
