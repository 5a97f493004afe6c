package dev.meshboot.clusterconfig;

import java.util.HexFormat;
import java.util.Locale;

/** An Ethernet MAC address, normalised to lower-case colon form; accepts ':' or '-' separators. */
public record Mac(String text) {
    public static Mac parse(String s) {
        if (!s.matches("(?i)[0-9a-f]{2}([:-][0-9a-f]{2}){5}")) {
            throw new IllegalArgumentException("not a MAC address (expected six hex octets like 52:54:00:12:34:56)");
        }
        String norm = s.toLowerCase(Locale.ROOT).replace('-', ':');
        if ((HexFormat.fromHexDigits(norm.substring(0, 2)) & 1) == 1) {
            throw new IllegalArgumentException("a multicast address cannot be a machine's MAC");
        }
        return new Mac(norm);
    }

    /** From the 6 bytes of a DHCP chaddr. */
    public static Mac of(byte[] b, int offset) {
        StringBuilder s = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                s.append(':');
            }
            s.append(HexFormat.of().toHexDigits(b[offset + i]));
        }
        return new Mac(s.toString());
    }

    @Override
    public String toString() {
        return text;
    }
}
