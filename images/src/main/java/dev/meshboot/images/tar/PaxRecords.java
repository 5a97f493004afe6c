package dev.meshboot.images.tar;

import dev.meshboot.images.ArchiveFormatException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The PAX extended header record codec (POSIX.1-2001, pax "Extended Header"): each record is
 * {@code "%d %s=%s\n"}, where the decimal length counts the whole record, itself included. Values are bytes, not
 * text: {@code SCHILY.xattr.*} values are raw xattr bytes, as GNU tar writes them.
 */
final class PaxRecords {
    private PaxRecords() {}

    static void append(ByteArrayOutputStream out, String key, byte[] value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int body = 1 + k.length + 1 + value.length + 1; // ' ' key '=' value '\n'
        int length = body + Integer.toString(body).length();
        if (Integer.toString(length).length() != Integer.toString(body).length()) {
            length = body + Integer.toString(length).length();
        }
        out.writeBytes(Integer.toString(length).getBytes(StandardCharsets.US_ASCII));
        out.write(' ');
        out.writeBytes(k);
        out.write('=');
        out.writeBytes(value);
        out.write('\n');
    }

    static void append(ByteArrayOutputStream out, String key, String value) {
        append(out, key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses a complete extended header; {@code where} names the member for error messages. */
    static Map<String, byte[]> parse(byte[] data, String where) throws ArchiveFormatException {
        Map<String, byte[]> records = new LinkedHashMap<>();
        int pos = 0;
        while (pos < data.length) {
            if (data[pos] == 0) {
                break; // NUL padding after the last record
            }
            int lengthEnd = pos;
            long length = 0;
            while (lengthEnd < data.length && data[lengthEnd] != ' ') {
                byte c = data[lengthEnd];
                if (c < '0' || c > '9' || lengthEnd - pos >= 10) {
                    throw new ArchiveFormatException("Malformed PAX header for " + where + ": bad record length at byte "
                            + pos);
                }
                length = length * 10 + (c - '0');
                lengthEnd++;
            }
            if (lengthEnd == pos || length < (lengthEnd - pos) + 4 || pos + length > data.length) {
                throw new ArchiveFormatException("Malformed PAX header for " + where + ": record at byte " + pos
                        + " claims " + length + " bytes, " + (data.length - pos) + " remain");
            }
            int end = (int) (pos + length);
            if (data[end - 1] != '\n') {
                throw new ArchiveFormatException("Malformed PAX header for " + where + ": record at byte " + pos
                        + " does not end in a newline");
            }
            int keyStart = lengthEnd + 1;
            int eq = keyStart;
            while (eq < end - 1 && data[eq] != '=') {
                eq++;
            }
            if (eq >= end - 1 || eq == keyStart) {
                throw new ArchiveFormatException("Malformed PAX header for " + where + ": record at byte " + pos
                        + " has no key=value");
            }
            String key = new String(data, keyStart, eq - keyStart, StandardCharsets.UTF_8);
            byte[] value = java.util.Arrays.copyOfRange(data, eq + 1, end - 1);
            records.put(key, value);
            pos = end;
        }
        return records;
    }
}
