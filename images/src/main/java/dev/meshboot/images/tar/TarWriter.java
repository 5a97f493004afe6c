package dev.meshboot.images.tar;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes a POSIX pax tar stream (IEEE 1003.1-2001) that GNU tar 1.34 extracts with
 * {@code --xattrs --xattrs-include='*' --acls --numeric-owner}, and that is deterministic: the same members give
 * the same bytes, so unchanged files give unchanged chunks.
 *
 * <p>What goes into pax extended headers, and why:
 * <ul>
 *   <li>{@code path}/{@code linkpath} when a name exceeds ustar's 100 bytes;
 *   <li>{@code uid}/{@code gid}/{@code size}/{@code mtime} when a value exceeds its octal field, and {@code mtime}
 *       with nanoseconds whenever they are not zero (no atime or ctime: they would change every build);
 *   <li>{@code SCHILY.xattr.NAME} for every xattr, raw bytes, as GNU tar and star write them, plus
 *       {@code SCHILY.acl.access}/{@code SCHILY.acl.default} text for POSIX ACLs;
 *   <li>sparse files as GNU sparse format 1.0 ({@code GNU.sparse.major=1}, {@code minor=0}, {@code name},
 *       {@code realsize}, and the map in decimal at the start of the data), which Commons Compress reads but does
 *       not write.
 * </ul>
 * Usage: {@link #begin} a member, write exactly its stored data to the returned stream, {@link #end} it; after the
 * last member, {@link #finish}.
 */
public final class TarWriter {
    static final int BLOCK = 512;
    private static final long MAX_OCTAL_7 = 07777777L;
    private static final long MAX_OCTAL_11 = 077777777777L;
    private static final byte[] ZEROS = new byte[BLOCK];

    private final OutputStream out;
    private long expected = -1;
    private long written;
    private String current;

    private final OutputStream dataStream = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (written + len > expected) {
                throw new IOException("member '" + current + "' is " + expected + " bytes, but more was written"
                        + " (did the file change during the build?)");
            }
            out.write(b, off, len);
            written += len;
        }
    };

    public TarWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes the headers of {@code entry} and returns the stream its stored data goes to. */
    public OutputStream begin(TarEntry entry) throws IOException {
        if (expected >= 0) {
            throw new IllegalStateException("member '" + current + "' was not ended");
        }
        current = entry.name();
        String memberName = memberName(entry);
        ByteArrayOutputStream pax = new ByteArrayOutputStream();
        byte[] sparseMap = null;
        String ustarName = memberName;
        if (entry.isSparse()) {
            sparseMap = sparseMap(entry);
            PaxRecords.append(pax, "GNU.sparse.major", "1");
            PaxRecords.append(pax, "GNU.sparse.minor", "0");
            PaxRecords.append(pax, "GNU.sparse.name", memberName);
            PaxRecords.append(pax, "GNU.sparse.realsize", Long.toString(entry.size()));
            int slash = memberName.lastIndexOf('/');
            ustarName = memberName.substring(0, slash + 1) + "GNUSparseFile.0/" + memberName.substring(slash + 1);
        } else if (utf8Length(memberName) > 100) {
            PaxRecords.append(pax, "path", memberName);
        }
        if (utf8Length(entry.linkName()) > 100) {
            PaxRecords.append(pax, "linkpath", entry.linkName());
        }
        long stored = entry.storedDataBytes() + (sparseMap == null ? 0 : sparseMap.length);
        if (entry.uid() > MAX_OCTAL_7 || entry.uid() < 0) {
            PaxRecords.append(pax, "uid", Long.toString(entry.uid()));
        }
        if (entry.gid() > MAX_OCTAL_7 || entry.gid() < 0) {
            PaxRecords.append(pax, "gid", Long.toString(entry.gid()));
        }
        if (stored > MAX_OCTAL_11) {
            PaxRecords.append(pax, "size", Long.toString(stored));
        }
        if (entry.mtimeNanos() != 0 || entry.mtimeSeconds() < 0 || entry.mtimeSeconds() > MAX_OCTAL_11) {
            PaxRecords.append(pax, "mtime", formatTime(entry.mtimeSeconds(), entry.mtimeNanos()));
        }
        for (Map.Entry<String, byte[]> x : entry.xattrs().entrySet()) {
            if (x.getKey().equals("system.posix_acl_access")) {
                AclText.fromXattr(x.getValue()).ifPresent(t -> PaxRecords.append(pax, "SCHILY.acl.access", t));
            } else if (x.getKey().equals("system.posix_acl_default")) {
                AclText.fromXattr(x.getValue()).ifPresent(t -> PaxRecords.append(pax, "SCHILY.acl.default", t));
            }
        }
        for (Map.Entry<String, byte[]> x : entry.xattrs().entrySet()) {
            PaxRecords.append(pax, "SCHILY.xattr." + x.getKey(), x.getValue());
        }
        if (pax.size() > 0) {
            byte[] records = pax.toByteArray();
            writeHeader(paxHeaderName(memberName), 0644, 0, 0, records.length, 0, 'x', "", 0, 0);
            out.write(records);
            pad(records.length);
        }
        writeHeader(ustarName, entry.mode(), clampOctal7(entry.uid()), clampOctal7(entry.gid()),
                Math.min(stored, MAX_OCTAL_11), Math.max(0, Math.min(entry.mtimeSeconds(), MAX_OCTAL_11)),
                entry.type().flag, entry.linkName(), entry.devMajor(), entry.devMinor());
        if (sparseMap != null) {
            out.write(sparseMap);
        }
        expected = entry.storedDataBytes();
        written = 0;
        return dataStream;
    }

    /** Ends the current member: checks its length and pads it to a block. */
    public void end() throws IOException {
        if (written != expected) {
            throw new IOException("member '" + current + "' is " + expected + " bytes, but " + written
                    + " were written (did the file change during the build?)");
        }
        long stored = expected;
        expected = -1;
        pad(stored); // the sparse map is already a whole number of blocks
    }

    /** Writes the end-of-archive marker: two zero blocks. */
    public void finish() throws IOException {
        out.write(ZEROS);
        out.write(ZEROS);
        out.flush();
    }

    private static String memberName(TarEntry entry) {
        if (entry.name().isEmpty()) {
            return "./";
        }
        return entry.type() == TarEntry.Type.DIRECTORY ? entry.name() + "/" : entry.name();
    }

    private static String paxHeaderName(String memberName) {
        String base = memberName.endsWith("/") ? memberName.substring(0, memberName.length() - 1) : memberName;
        base = base.substring(base.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
        return "PaxHeaders/" + (base.length() > 80 ? base.substring(0, 80) : base);
    }

    private static byte[] sparseMap(TarEntry entry) {
        StringBuilder map = new StringBuilder();
        int count = entry.sparse().size();
        TarEntry.Segment last = count == 0 ? null : entry.sparse().get(count - 1);
        boolean trailingHole = last == null || last.offset() + last.length() < entry.size();
        map.append(count + (trailingHole ? 1 : 0)).append('\n');
        for (TarEntry.Segment s : entry.sparse()) {
            map.append(s.offset()).append('\n').append(s.length()).append('\n');
        }
        if (trailingHole) {
            // GNU tar ends the map with an empty segment at the real size, so the file's length is explicit.
            map.append(entry.size()).append('\n').append(0).append('\n');
        }
        byte[] text = map.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] padded = new byte[(text.length + BLOCK - 1) / BLOCK * BLOCK];
        System.arraycopy(text, 0, padded, 0, text.length);
        return padded;
    }

    private void writeHeader(String name, int mode, long uid, long gid, long size, long mtime, char type,
            String linkName, long devMajor, long devMinor) throws IOException {
        byte[] h = new byte[BLOCK];
        putString(h, 0, 100, name);
        putOctal(h, 100, 8, mode & 07777);
        putOctal(h, 108, 8, uid);
        putOctal(h, 116, 8, gid);
        putOctal(h, 124, 12, size);
        putOctal(h, 136, 12, mtime);
        h[156] = (byte) type;
        putString(h, 157, 100, linkName);
        putString(h, 257, 6, "ustar");
        h[263] = '0';
        h[264] = '0';
        if (type == '3' || type == '4') {
            putOctal(h, 329, 8, devMajor);
            putOctal(h, 337, 8, devMinor);
        }
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        putOctal(h, 148, 7, sum);
        h[155] = ' ';
        out.write(h);
    }

    private void pad(long length) throws IOException {
        int rest = (int) (length % BLOCK);
        if (rest != 0) {
            out.write(ZEROS, 0, BLOCK - rest);
        }
    }

    private static void putString(byte[] h, int off, int len, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, off, Math.min(b.length, len));
    }

    /** An octal number, zero-padded, NUL-terminated, in a field of {@code len} bytes. */
    private static void putOctal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        int digits = len - 1;
        if (s.length() > digits) {
            throw new IllegalArgumentException("value " + value + " does not fit an octal field of " + len);
        }
        for (int i = 0; i < digits - s.length(); i++) {
            h[off + i] = '0';
        }
        putString(h, off + digits - s.length(), s.length(), s);
        h[off + digits] = 0;
    }

    private static long clampOctal7(long v) {
        return v < 0 || v > MAX_OCTAL_7 ? 0 : v;
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    static String formatTime(long seconds, int nanos) {
        if (nanos == 0) {
            return Long.toString(seconds);
        }
        if (seconds < 0) {
            // pax times are a decimal real: -1.5 means 1.5 s before the epoch.
            long s = seconds + 1;
            int n = 1_000_000_000 - nanos;
            return (s == 0 ? "-0" : Long.toString(s)) + "." + String.format("%09d", n);
        }
        return seconds + "." + String.format("%09d", nanos);
    }
}
