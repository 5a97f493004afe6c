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

    /** Parses a rate in bytes per second: 6250000, 500K, 50M, 1G (decimal multiples, as link speeds are). */
    static long parseRate(String s) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)([0-9]{1,12})\\s*([KMG]?)").matcher(s.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException("rate '" + s + "': expected bytes per second, like 6250000 or 50M");
        }
        long mult = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            default -> 1L;
        };
        return Math.multiplyExact(Long.parseLong(m.group(1)), mult);
    }
}
