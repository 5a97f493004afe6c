package dev.meshboot.images.tar;

import dev.meshboot.images.ArchiveFormatException;
import dev.meshboot.images.paths.ConfinedPath;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the pax tar streams {@link TarWriter} writes, strictly: header checksums are checked, every length is
 * bounded by {@link TarLimits}, a stream must end with the end-of-archive marker (so a stream cut at a member
 * boundary is reported as truncated, not taken as complete), and each fault is an {@link ArchiveFormatException}
 * that names the member and the byte offset.
 *
 * <p>Names are returned as stored; the extractor confines them with {@link ConfinedPath}.
 */
public final class TarReader {
    private static final int BLOCK = TarWriter.BLOCK;

    private final InputStream in;
    private final TarLimits limits;
    private long offset;
    private long remaining;
    private long padding;
    private String currentName = "(start of archive)";
    private boolean ended;

    private final InputStream dataStream = new InputStream() {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw truncated(remaining);
            }
            remaining -= n;
            offset += n;
            return n;
        }
    };

    public TarReader(InputStream in, TarLimits limits) {
        this.in = in;
        this.limits = limits;
    }

    /** Byte offset in the uncompressed stream, for messages. */
    public long offset() {
        return offset;
    }

    /**
     * The next member, or null after the end-of-archive marker. Skips whatever the caller left unread of the
     * previous member's data.
     */
    public TarEntry next() throws IOException {
        if (ended) {
            return null;
        }
        skipFully(remaining + padding);
        remaining = 0;
        padding = 0;
        Map<String, byte[]> pax = Map.of();
        while (true) {
            byte[] header = readBlock();
            if (header == null) {
                throw new ArchiveFormatException("Truncated archive: stream ends after '" + currentName
                        + "' without the end-of-archive marker (offset " + offset + ")");
            }
            if (isZero(header)) {
                byte[] second = readBlock();
                if (second == null || !isZero(second)) {
                    throw new ArchiveFormatException("Truncated archive: a lone zero block after '" + currentName
                            + "' at offset " + (offset - BLOCK * (second == null ? 1 : 2)));
                }
                ended = true;
                return null;
            }
            long headerOffset = offset - BLOCK;
            checkChecksum(header, headerOffset);
            char type = (char) header[156];
            long size = number(header, 124, 12, "size", headerOffset);
            if (type == 'x') {
                if (size > limits.maxPaxHeaderBytes()) {
                    throw new ArchiveFormatException("Oversized PAX header after '" + currentName + "': " + size
                            + " bytes at offset " + headerOffset + ", limit " + limits.maxPaxHeaderBytes());
                }
                byte[] data = readFully((int) size);
                skipFully(padTo(size));
                pax = PaxRecords.parse(data, "the member after '" + currentName + "'");
                continue;
            }
            if (type == 'g') {
                throw new ArchiveFormatException("Unsupported global PAX header at offset " + headerOffset
                        + ": meshboot archives never carry one");
            }
            return decode(header, type, size, pax, headerOffset);
        }
    }

    /** The stored data of the member {@link #next} returned: for a sparse file its segments, in order, no map. */
    public InputStream data() {
        return dataStream;
    }

    private TarEntry decode(byte[] h, char typeFlag, long ustarSize, Map<String, byte[]> pax, long headerOffset)
            throws IOException {
        TarEntry.Type type = switch (typeFlag) {
            case '0', '\0', '7' -> TarEntry.Type.REGULAR;
            case '1' -> TarEntry.Type.HARDLINK;
            case '2' -> TarEntry.Type.SYMLINK;
            case '3' -> TarEntry.Type.CHAR_DEVICE;
            case '4' -> TarEntry.Type.BLOCK_DEVICE;
            case '5' -> TarEntry.Type.DIRECTORY;
            case '6' -> TarEntry.Type.FIFO;
            default -> throw new ArchiveFormatException("Unsupported member type '" + printableChar(typeFlag)
                    + "' at offset " + headerOffset);
        };
        String name = text(pax, "path", string(h, 0, 100));
        String prefix = string(h, 345, 155);
        if (!pax.containsKey("path") && !prefix.isEmpty()) {
            name = prefix + "/" + name;
        }
        String linkName = text(pax, "linkpath", string(h, 157, 100));
        long uid = pax.containsKey("uid") ? decimal(pax, "uid", headerOffset) : number(h, 108, 8, "uid", headerOffset);
        long gid = pax.containsKey("gid") ? decimal(pax, "gid", headerOffset) : number(h, 116, 8, "gid", headerOffset);
        long size = pax.containsKey("size") ? decimal(pax, "size", headerOffset) : ustarSize;
        long mtime = number(h, 136, 12, "mtime", headerOffset);
        int nanos = 0;
        if (pax.containsKey("mtime")) {
            long[] t = parseTime(text(pax, "mtime", ""), headerOffset);
            mtime = t[0];
            nanos = (int) t[1];
        }
        int mode = (int) (number(h, 100, 8, "mode", headerOffset) & 07777);
        long devMajor = 0;
        long devMinor = 0;
        if (type == TarEntry.Type.CHAR_DEVICE || type == TarEntry.Type.BLOCK_DEVICE) {
            devMajor = number(h, 329, 8, "devmajor", headerOffset);
            devMinor = number(h, 337, 8, "devminor", headerOffset);
        }
        TreeMap<String, byte[]> xattrs = new TreeMap<>();
        for (Map.Entry<String, byte[]> r : pax.entrySet()) {
            if (r.getKey().startsWith("SCHILY.xattr.")) {
                xattrs.put(r.getKey().substring("SCHILY.xattr.".length()), r.getValue());
            }
        }
        List<TarEntry.Segment> sparse = null;
        long stored = size;
        if (pax.containsKey("GNU.sparse.major") || pax.containsKey("GNU.sparse.name")) {
            String version = text(pax, "GNU.sparse.major", "?") + "." + text(pax, "GNU.sparse.minor", "?");
            if (!version.equals("1.0")) {
                throw new ArchiveFormatException("Unsupported GNU sparse format " + version + " for '"
                        + text(pax, "GNU.sparse.name", name) + "' at offset " + headerOffset + ": only 1.0 is read");
            }
            name = text(pax, "GNU.sparse.name", name);
            long realSize = decimal(pax, "GNU.sparse.realsize", headerOffset);
            currentName = name;
            long[] mapBytes = new long[1];
            sparse = readSparseMap(name, realSize, size, mapBytes);
            stored = size - mapBytes[0];
            size = realSize;
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > limits.maxNameBytes()
                || linkName.getBytes(StandardCharsets.UTF_8).length > limits.maxNameBytes()) {
            throw new ArchiveFormatException("Name too long at offset " + headerOffset + ": limit "
                    + limits.maxNameBytes() + " bytes");
        }
        currentName = name;
        if (type != TarEntry.Type.REGULAR && stored != 0) {
            throw new ArchiveFormatException("Member '" + ConfinedPath.printable(name) + "' of type " + type
                    + " carries " + stored + " data bytes at offset " + headerOffset);
        }
        String normalName = name.equals("./") || name.equals(".") ? "" : stripSlashes(name);
        remaining = stored;
        // The member's data (a sparse map included) is padded as a whole; a map is a whole number of blocks.
        padding = padTo(stored);
        return new TarEntry(type, normalName, linkName, mode, uid, gid, size, mtime, nanos, devMajor, devMinor,
                xattrs, sparse);
    }

    private List<TarEntry.Segment> readSparseMap(String name, long realSize, long memberSize, long[] mapBytes)
            throws IOException {
        long start = offset;
        long[] cursor = {0};
        byte[][] block = {null};
        long count = readMapNumber(name, block, cursor);
        if (count < 0 || count > limits.maxSparseSegments()) {
            throw new ArchiveFormatException("Sparse map of '" + ConfinedPath.printable(name) + "' has " + count
                    + " segments, limit " + limits.maxSparseSegments());
        }
        List<TarEntry.Segment> segments = new ArrayList<>();
        long end = 0;
        long dataBytes = 0;
        for (long i = 0; i < count; i++) {
            long off = readMapNumber(name, block, cursor);
            long len = readMapNumber(name, block, cursor);
            if (off < end || len < 0 || off > realSize || len > realSize - off) {
                throw new ArchiveFormatException("Sparse map of '" + ConfinedPath.printable(name)
                        + "' is inconsistent: segment " + i + " [" + off + ", +" + len + "] in a file of " + realSize
                        + " bytes");
            }
            end = off + len;
            dataBytes += len;
            if (len > 0) {
                segments.add(new TarEntry.Segment(off, len));
            }
        }
        mapBytes[0] = offset - start;
        if (mapBytes[0] + dataBytes != memberSize) {
            throw new ArchiveFormatException("Sparse map of '" + ConfinedPath.printable(name) + "' describes "
                    + dataBytes + " data bytes but the member holds " + (memberSize - mapBytes[0]));
        }
        return segments;
    }

    /** Reads one decimal line of a sparse map, refilling block by block; the map is block-aligned. */
    private long readMapNumber(String name, byte[][] block, long[] cursor) throws IOException {
        long value = 0;
        int digits = 0;
        while (true) {
            if (block[0] == null || cursor[0] == BLOCK) {
                block[0] = readBlock();
                cursor[0] = 0;
                if (block[0] == null) {
                    throw truncated(1);
                }
            }
            byte c = block[0][(int) cursor[0]++];
            if (c == '\n') {
                if (digits == 0) {
                    break;
                }
                return value;
            }
            if (c < '0' || c > '9' || ++digits > 19) {
                break;
            }
            value = value * 10 + (c - '0');
        }
        throw new ArchiveFormatException("Malformed sparse map of '" + ConfinedPath.printable(name) + "' at offset "
                + offset);
    }

    private void checkChecksum(byte[] h, long headerOffset) throws ArchiveFormatException {
        long stored = number(h, 148, 8, "checksum", headerOffset);
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = (i >= 148 && i < 156) ? ' ' : h[i];
            unsigned += b & 0xff;
            signed += b;
        }
        if (stored != unsigned && stored != signed) {
            throw new ArchiveFormatException("Bad header checksum at offset " + headerOffset + " (after '"
                    + ConfinedPath.printable(currentName) + "'): stored " + stored + ", computed " + unsigned);
        }
    }

    /** An octal field, or GNU base-256 when its top bit is set; never negative, never beyond a long. */
    private long number(byte[] h, int off, int len, String field, long headerOffset) throws ArchiveFormatException {
        if ((h[off] & 0x80) != 0) {
            if ((h[off] & 0x40) != 0) {
                throw new ArchiveFormatException("Negative " + field + " at offset " + headerOffset);
            }
            long v = h[off] & 0x3f;
            for (int i = 1; i < len; i++) {
                if ((v >>> 55) != 0) {
                    throw new ArchiveFormatException("Overflowing " + field + " at offset " + headerOffset);
                }
                v = (v << 8) | (h[off + i] & 0xff);
            }
            return v;
        }
        long v = 0;
        int i = off;
        int end = off + len;
        while (i < end && (h[i] == ' ' || h[i] == 0)) {
            i++;
        }
        for (; i < end && h[i] != 0 && h[i] != ' '; i++) {
            if (h[i] < '0' || h[i] > '7' || (v >>> 60) != 0) {
                throw new ArchiveFormatException("Malformed " + field + " field at offset " + headerOffset + " (after '"
                        + ConfinedPath.printable(currentName) + "')");
            }
            v = (v << 3) | (h[i] - '0');
        }
        return v;
    }

    private long decimal(Map<String, byte[]> pax, String key, long headerOffset) throws ArchiveFormatException {
        String s = text(pax, key, "");
        if (s.isEmpty() || s.length() > 19 || !s.chars().allMatch(Character::isDigit)) {
            throw new ArchiveFormatException("Malformed PAX " + key + " '" + ConfinedPath.printable(s)
                    + "' at offset " + headerOffset);
        }
        return Long.parseLong(s);
    }

    private long[] parseTime(String s, long headerOffset) throws ArchiveFormatException {
        if (!s.matches("-?[0-9]{1,18}(\\.[0-9]{1,9})?")) {
            throw new ArchiveFormatException("Malformed PAX mtime '" + ConfinedPath.printable(s) + "' at offset "
                    + headerOffset);
        }
        boolean negative = s.startsWith("-");
        String[] parts = (negative ? s.substring(1) : s).split("\\.");
        long seconds = Long.parseLong(parts[0]);
        long nanos = parts.length > 1 ? Long.parseLong((parts[1] + "000000000").substring(0, 9)) : 0;
        if (negative) {
            seconds = -seconds;
            if (nanos != 0) {
                seconds -= 1;
                nanos = 1_000_000_000 - nanos;
            }
        }
        return new long[] {seconds, nanos};
    }

    private static String text(Map<String, byte[]> pax, String key, String fallback) {
        byte[] v = pax.get(key);
        return v == null ? fallback : new String(v, StandardCharsets.UTF_8);
    }

    private static String string(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return new String(h, off, end - off, StandardCharsets.UTF_8);
    }

    private static String stripSlashes(String name) {
        String n = name;
        while (n.endsWith("/") && n.length() > 1) {
            n = n.substring(0, n.length() - 1);
        }
        return n.startsWith("./") ? n.substring(2) : n;
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static long padTo(long length) {
        long rest = length % BLOCK;
        return rest == 0 ? 0 : BLOCK - rest;
    }

    private byte[] readBlock() throws IOException {
        byte[] b = new byte[BLOCK];
        int n = in.readNBytes(b, 0, BLOCK);
        offset += n;
        if (n == 0) {
            return null;
        }
        if (n < BLOCK) {
            throw truncated(BLOCK - n);
        }
        return b;
    }

    private byte[] readFully(int len) throws IOException {
        byte[] b = in.readNBytes(len);
        offset += b.length;
        if (b.length < len) {
            throw truncated(len - b.length);
        }
        return b;
    }

    private void skipFully(long n) throws IOException {
        try {
            in.skipNBytes(n);
            offset += n;
        } catch (EOFException e) {
            throw truncated(n);
        }
    }

    private ArchiveFormatException truncated(long missing) {
        return new ArchiveFormatException("Truncated archive: member '" + ConfinedPath.printable(currentName)
                + "' is missing at least " + missing + " bytes (stream ends at offset " + offset + ")");
    }

    private static String printableChar(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c);
    }
}
