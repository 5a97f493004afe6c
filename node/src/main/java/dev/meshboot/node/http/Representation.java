package dev.meshboot.node.http;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a GET sends: a sequence of spans served back to back (one file; every chunk of an archive, in order; or a few
 * bytes made in memory, like an iPXE script), its total length, its content type and its ETag. A byte range maps
 * onto the spans, so a Range request on an archive is served straight from the chunk files, zero-copy.
 */
public record Representation(List<Span> spans, long length, String contentType, String etag) {
    /** A run of bytes to send. */
    public sealed interface Span {
        long length();

        /** The part of this span from {@code from} for {@code count} bytes. */
        Span part(long from, long count);
    }

    /** {@code length} bytes of {@code file} from {@code offset}: sent with sendfile where the platform has it. */
    public record FileSpan(Path file, long offset, long length) implements Span {
        @Override
        public Span part(long from, long count) {
            return new FileSpan(file, offset + from, count);
        }
    }

    /** Bytes in memory. */
    public record BytesSpan(byte[] data, int offset, long length) implements Span {
        @Override
        public Span part(long from, long count) {
            return new BytesSpan(data, offset + (int) from, count);
        }
    }

    public Representation {
        spans = List.copyOf(spans);
    }

    public static Representation of(String contentType, String etag, List<? extends Span> spans) {
        long total = 0;
        for (Span s : spans) {
            total += s.length();
        }
        return new Representation(List.copyOf(spans), total, contentType, etag);
    }

    /** The spans covering {@code range}, trimmed to it. */
    public List<Span> slice(ByteRange range) {
        List<Span> out = new ArrayList<>();
        long pos = 0;
        for (Span s : spans) {
            long start = pos;
            long end = pos + s.length() - 1;
            pos += s.length();
            if (s.length() == 0 || end < range.first() || start > range.last()) {
                continue;
            }
            long from = Math.max(range.first(), start) - start;
            long to = Math.min(range.last(), end) - start;
            out.add(s.part(from, to - from + 1));
        }
        return out;
    }
}
