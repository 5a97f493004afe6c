package dev.meshboot.node.http;

import java.util.Optional;

/**
 * One byte range of a representation (RFC 9110 section 14), resolved against its length: {@code first} and
 * {@code last} inclusive. Parsing is a pure function of the header and the length.
 */
public record ByteRange(long first, long last) {
    /** Thrown for a syntactically valid range that selects nothing: the server answers 416. */
    public static final class Unsatisfiable extends Exception {
        private static final long serialVersionUID = 1L;

        public Unsatisfiable(String message) {
            super(message);
        }
    }

    public long length() {
        return last - first + 1;
    }

    /**
     * Parses a {@code Range} header. Empty when there is none, when it is not a single {@code bytes} range, or when
     * it is malformed: RFC 9110 section 14.2 lets a server ignore such a header and send the whole representation.
     */
    public static Optional<ByteRange> parse(String header, long length) throws Unsatisfiable {
        if (header == null) {
            return Optional.empty();
        }
        String h = header.strip();
        if (!h.startsWith("bytes=") || h.indexOf(',') >= 0) {
            return Optional.empty();
        }
        String spec = h.substring(6).strip();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return Optional.empty();
        }
        String a = spec.substring(0, dash).strip();
        String b = spec.substring(dash + 1).strip();
        if (!a.matches("[0-9]{0,18}") || !b.matches("[0-9]{0,18}") || (a.isEmpty() && b.isEmpty())) {
            return Optional.empty();
        }
        if (a.isEmpty()) { // suffix: the last N bytes
            long n = Long.parseLong(b);
            if (n == 0 || length == 0) {
                throw new Unsatisfiable("bytes=-0 selects nothing");
            }
            return Optional.of(new ByteRange(Math.max(0, length - n), length - 1));
        }
        long first = Long.parseLong(a);
        if (first >= length) {
            throw new Unsatisfiable("range starts at " + first + ", length is " + length);
        }
        long last = b.isEmpty() ? length - 1 : Math.min(Long.parseLong(b), length - 1);
        if (last < first) {
            return Optional.empty(); // RFC 9110: an invalid range-spec makes the header ignorable
        }
        return Optional.of(new ByteRange(first, last));
    }
}
