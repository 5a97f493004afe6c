package dev.meshboot.clusterconfig.store;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The conflicts this member resolved, newest last, at most {@link #MAX_ENTRIES}: enough to cover the aftermath of
 * any partition an operator will look at, bounded so a flapping link cannot fill the disk. Persisted as one file,
 * {@code DIR/conflicts}, rewritten atomically after each batch that adds entries.
 *
 * <p>File format: {@code "MBC1"}, u32 count, then per entry u32+winner, u32+loser (each {@link StoreCodec#encode}),
 * u16+reason (UTF-8), i64 detected-at millis; then the SHA-256 of everything before.
 */
final class ConflictLog {
    static final int MAX_ENTRIES = 1000;
    private static final byte[] MAGIC = "MBC1".getBytes(StandardCharsets.US_ASCII);

    private final ArrayDeque<Conflict> entries = new ArrayDeque<>();
    private final Optional<Path> file;

    private ConflictLog(Optional<Path> file) {
        this.file = file;
    }

    static ConflictLog inMemory() {
        return new ConflictLog(Optional.empty());
    }

    static ConflictLog open(Path file) throws IOException, StoreCorruptException {
        ConflictLog log = new ConflictLog(Optional.of(file));
        if (Files.exists(file)) {
            try {
                decode(Files.readAllBytes(file)).forEach(log::add);
            } catch (StoreFormatException e) {
                throw new StoreCorruptException(List.of(new StoreCorruptException.BadFile(file, e.getMessage())));
            }
        }
        return log;
    }

    void add(Conflict c) {
        entries.addLast(c);
        while (entries.size() > MAX_ENTRIES) {
            entries.removeFirst();
        }
    }

    List<Conflict> entries() {
        return List.copyOf(entries);
    }

    void persist() throws IOException {
        if (file.isPresent()) {
            AtomicFile.replace(file.get(), encode(entries()), FaultPoint.NONE);
        }
    }

    static byte[] encode(List<Conflict> conflicts) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeInt(conflicts.size());
            for (Conflict c : conflicts) {
                for (VersionedDocument v : List.of(c.winner(), c.loser())) {
                    byte[] b = StoreCodec.encode(v);
                    out.writeInt(b.length);
                    out.write(b);
                }
                byte[] reason = c.reason().getBytes(StandardCharsets.UTF_8);
                out.writeShort(Math.min(reason.length, 0xffff));
                out.write(reason, 0, Math.min(reason.length, 0xffff));
                out.writeLong(c.detectedAt().toEpochMilli());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] content = bytes.toByteArray();
        byte[] all = Arrays.copyOf(content, content.length + 32);
        System.arraycopy(VersionedDocument.sha256(content), 0, all, content.length, 32);
        return all;
    }

    static List<Conflict> decode(byte[] bytes) throws StoreFormatException {
        if (bytes.length < MAGIC.length + 4 + 32 || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new StoreFormatException("not a conflict log (" + bytes.length + " bytes, no MBC1 header)");
        }
        int end = bytes.length - 32;
        if (!Arrays.equals(VersionedDocument.sha256(Arrays.copyOf(bytes, end)), 0, 32, bytes, end, bytes.length)) {
            throw new StoreFormatException("SHA-256 does not match the content: torn or altered");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, MAGIC.length, end - MAGIC.length).slice();
        try {
            int count = in.getInt();
            if (count < 0 || count > MAX_ENTRIES) {
                throw new StoreFormatException("conflict count " + count + " is over " + MAX_ENTRIES);
            }
            java.util.ArrayList<Conflict> out = new java.util.ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                VersionedDocument winner = StoreCodec.decode(chunk(in, in.getInt()));
                VersionedDocument loser = StoreCodec.decode(chunk(in, in.getInt()));
                String reason = new String(chunk(in, in.getShort() & 0xffff), StandardCharsets.UTF_8);
                out.add(new Conflict(winner.key(), winner, loser, reason, Instant.ofEpochMilli(in.getLong())));
            }
            return out;
        } catch (BufferUnderflowException e) {
            throw new StoreFormatException("truncated conflict log");
        }
    }

    private static byte[] chunk(ByteBuffer in, int length) throws StoreFormatException {
        if (length < 0 || length > in.remaining()) {
            throw new StoreFormatException("an entry claims " + Integer.toUnsignedString(length) + " bytes, "
                    + in.remaining() + " remain");
        }
        byte[] b = new byte[length];
        in.get(b);
        return b;
    }
}
