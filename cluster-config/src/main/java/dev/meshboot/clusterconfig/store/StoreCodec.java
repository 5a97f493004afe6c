package dev.meshboot.clusterconfig.store;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The store's byte formats, as pure functions: one version, a list of versions (a message or a state transfer),
 * and a list of version summaries (anti-entropy). Big-endian, length-prefixed, every length checked against a limit
 * before anything is allocated. The same input always gives the same bytes, which is what makes a snapshot of two
 * converged members byte-identical.
 *
 * <pre>
 * version  = u8 format(1) str kind str name ts version u8 hasBase [ts base] u8 tombstone u32 bodyLength body
 * ts       = i64 millis i32 logical str member
 * str      = u16 length, UTF-8 (at most 255 bytes)
 * versions = "MBV1" u32 count { u32 length version }* sha256(all before)
 * </pre>
 */
public final class StoreCodec {
    private static final int FORMAT = 1;
    private static final int MAX_STRING = 255;
    private static final byte[] VERSIONS_MAGIC = "MBV1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUMMARIES_MAGIC = "MBS1".getBytes(StandardCharsets.US_ASCII);
    /** The most versions one message or snapshot may hold: ten times the 10,000-node fleet the design targets. */
    public static final int MAX_VERSIONS = 1_000_000;

    private StoreCodec() {}

    public static byte[] encode(VersionedDocument v) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + v.body().length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            string(out, v.key().kind());
            string(out, v.key().name());
            timestamp(out, v.version());
            out.writeBoolean(v.base().isPresent());
            if (v.base().isPresent()) {
                timestamp(out, v.base().get());
            }
            out.writeBoolean(v.tombstone());
            byte[] body = v.body();
            out.writeInt(body.length);
            out.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static VersionedDocument decode(byte[] bytes) throws StoreFormatException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            VersionedDocument v = version(in);
            if (in.hasRemaining()) {
                throw new StoreFormatException(in.remaining() + " bytes after the version of " + v.key());
            }
            return v;
        } catch (BufferUnderflowException e) {
            throw new StoreFormatException("truncated version (" + bytes.length + " bytes)");
        }
    }

    /** Versions in the order given, with a SHA-256 trailer so a torn or altered transfer is refused whole. */
    public static byte[] encodeAll(Collection<VersionedDocument> versions) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(VERSIONS_MAGIC);
            out.writeInt(versions.size());
            for (VersionedDocument v : versions) {
                byte[] one = encode(v);
                out.writeInt(one.length);
                out.write(one);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return withTrailer(bytes.toByteArray());
    }

    public static List<VersionedDocument> decodeAll(byte[] bytes) throws StoreFormatException {
        ByteBuffer in = checked(bytes, VERSIONS_MAGIC, "versions");
        try {
            int count = count(in, 8);
            List<VersionedDocument> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int length = in.getInt();
                if (length < 0 || length > in.remaining()) {
                    throw new StoreFormatException("version " + i + " claims " + length + " bytes, " + in.remaining()
                            + " remain");
                }
                byte[] one = new byte[length];
                in.get(one);
                out.add(decode(one));
            }
            if (in.hasRemaining()) {
                throw new StoreFormatException(in.remaining() + " bytes after " + count + " versions");
            }
            return out;
        } catch (BufferUnderflowException e) {
            throw new StoreFormatException("truncated list of versions");
        }
    }

    public static byte[] encodeSummaries(Collection<VersionSummary> summaries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(SUMMARIES_MAGIC);
            out.writeInt(summaries.size());
            for (VersionSummary s : summaries) {
                string(out, s.key().kind());
                string(out, s.key().name());
                timestamp(out, s.version());
                out.write(s.hash());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return withTrailer(bytes.toByteArray());
    }

    public static List<VersionSummary> decodeSummaries(byte[] bytes) throws StoreFormatException {
        ByteBuffer in = checked(bytes, SUMMARIES_MAGIC, "summaries");
        try {
            int count = count(in, 50);
            List<VersionSummary> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                DocumentKey key = key(in);
                HlcTimestamp version = timestamp(in);
                byte[] hash = new byte[32];
                in.get(hash);
                out.add(new VersionSummary(key, version, hash));
            }
            if (in.hasRemaining()) {
                throw new StoreFormatException(in.remaining() + " bytes after " + count + " summaries");
            }
            return out;
        } catch (BufferUnderflowException e) {
            throw new StoreFormatException("truncated list of summaries");
        }
    }

    private static byte[] withTrailer(byte[] content) {
        byte[] out = Arrays.copyOf(content, content.length + 32);
        System.arraycopy(VersionedDocument.sha256(content), 0, out, content.length, 32);
        return out;
    }

    /** Checks magic and trailer; returns a buffer over the content between them. */
    private static ByteBuffer checked(byte[] bytes, byte[] magic, String what) throws StoreFormatException {
        if (bytes.length < magic.length + 4 + 32 || !Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length)) {
            throw new StoreFormatException("not a list of " + what + " (" + bytes.length + " bytes, no "
                    + new String(magic, StandardCharsets.US_ASCII) + " header)");
        }
        int end = bytes.length - 32;
        byte[] expected = Arrays.copyOfRange(bytes, end, bytes.length);
        if (!Arrays.equals(VersionedDocument.sha256(Arrays.copyOf(bytes, end)), expected)) {
            throw new StoreFormatException("the SHA-256 trailer of the " + what + " does not match: torn or altered");
        }
        return ByteBuffer.wrap(bytes, magic.length, end - magic.length).slice();
    }

    private static int count(ByteBuffer in, int minBytesEach) throws StoreFormatException {
        int count = in.getInt();
        if (count < 0 || count > MAX_VERSIONS || (long) count * minBytesEach > in.remaining()) {
            throw new StoreFormatException("count " + Integer.toUnsignedString(count) + " does not fit "
                    + in.remaining() + " bytes (at most " + MAX_VERSIONS + ")");
        }
        return count;
    }

    private static VersionedDocument version(ByteBuffer in) throws StoreFormatException {
        int format = in.get() & 0xff;
        if (format != FORMAT) {
            throw new StoreFormatException("unknown version format " + format + " (this build reads " + FORMAT + ")");
        }
        DocumentKey key = key(in);
        HlcTimestamp version = timestamp(in);
        Optional<HlcTimestamp> base = flag(in, "hasBase") ? Optional.of(timestamp(in)) : Optional.empty();
        boolean tombstone = flag(in, "tombstone");
        int length = in.getInt();
        if (length < 0 || length > VersionedDocument.MAX_BODY || length > in.remaining()) {
            throw new StoreFormatException("body of " + key + " claims " + Integer.toUnsignedString(length)
                    + " bytes; at most " + Math.min(VersionedDocument.MAX_BODY, in.remaining()) + " possible");
        }
        byte[] body = new byte[length];
        in.get(body);
        try {
            return new VersionedDocument(key, version, base, tombstone, body);
        } catch (IllegalArgumentException e) {
            throw new StoreFormatException(e.getMessage());
        }
    }

    private static boolean flag(ByteBuffer in, String name) throws StoreFormatException {
        int b = in.get();
        if (b != 0 && b != 1) {
            throw new StoreFormatException(name + " is " + b + ", not 0 or 1");
        }
        return b == 1;
    }

    private static DocumentKey key(ByteBuffer in) throws StoreFormatException {
        String kind = string(in);
        String name = string(in);
        try {
            return new DocumentKey(kind, name);
        } catch (IllegalArgumentException e) {
            throw new StoreFormatException(e.getMessage());
        }
    }

    private static HlcTimestamp timestamp(ByteBuffer in) throws StoreFormatException {
        long millis = in.getLong();
        int logical = in.getInt();
        String member = string(in);
        try {
            return new HlcTimestamp(millis, logical, member);
        } catch (IllegalArgumentException e) {
            throw new StoreFormatException(e.getMessage());
        }
    }

    private static void timestamp(DataOutputStream out, HlcTimestamp t) throws IOException {
        out.writeLong(t.millis());
        out.writeInt(t.logical());
        string(out, t.member());
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeShort(b.length);
        out.write(b);
    }

    private static String string(ByteBuffer in) throws StoreFormatException {
        int length = in.getShort() & 0xffff;
        if (length > MAX_STRING || length > in.remaining()) {
            throw new StoreFormatException("a string claims " + length + " bytes (at most " + MAX_STRING + ")");
        }
        byte[] b = new byte[length];
        in.get(b);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new StoreFormatException("a string is not UTF-8");
        }
    }
}
