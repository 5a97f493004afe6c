package dev.meshboot.node.cli;

import java.util.Locale;

/** Human-readable sizes for CLI output: binary units, one decimal. */
final class Sizes {
    private Sizes() {}

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Parses 64K, 1M, 1048576 into bytes. */
    static int parse(String s) {
        if (!s.trim().matches("(?i)[0-9]{1,10}\\s*([KM]i?B?|B)?")) {
            throw new IllegalArgumentException("size '" + s + "': expected a number with an optional K or M suffix");
        }
        String t = s.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
        int mult = 1;
        if (t.endsWith("K")) {
            mult = 1 << 10;
        } else if (t.endsWith("M")) {
            mult = 1 << 20;
        }
        if (mult != 1) {
            t = t.substring(0, t.length() - 1);
        }
        return Math.multiplyExact(Integer.parseInt(t), mult);
    }
}
