package dev.meshboot.node.cli;

import dev.meshboot.images.build.BuildListener;
import java.io.PrintWriter;

/**
 * A one-line progress bar on a terminal's stderr, redrawn at most ten times a second; warnings are printed on
 * their own lines. Off a terminal, only the warnings are printed, so logs and pipes stay clean.
 */
final class ProgressBar implements BuildListener {
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final boolean terminal;
    private long lastDraw;
    private boolean drawn;

    ProgressBar(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    @Override
    public void progress(long done, long total) {
        if (!terminal) {
            return;
        }
        long now = System.nanoTime();
        if (drawn && now - lastDraw < REDRAW_NANOS && done < total) {
            return;
        }
        lastDraw = now;
        drawn = true;
        int width = 40;
        int filled = total == 0 ? width : (int) Math.min(width, done * width / total);
        err.print("\r[" + "#".repeat(filled) + ".".repeat(width - filled) + "] "
                + (total == 0 ? 100 : done * 100 / total) + "% " + Sizes.human(done) + " / " + Sizes.human(total) + "  ");
        err.flush();
    }

    @Override
    public void warning(String message) {
        clear();
        err.println("warning: " + message);
        err.flush();
    }

    void clear() {
        if (terminal && drawn) {
            err.print("\r" + " ".repeat(79) + "\r");
            err.flush();
            drawn = false;
        }
    }
}
