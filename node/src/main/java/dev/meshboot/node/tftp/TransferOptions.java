package dev.meshboot.node.tftp;

import java.util.Map;
import java.util.TreeMap;

/**
 * The options of one read transfer after negotiation: what the client asked for (RFC 2347), bounded by what this
 * server allows. A value out of range is ignored rather than refused, as RFC 2347 permits, so an odd client still
 * gets its file with the defaults.
 *
 * @param blockSize RFC 2348, 8..65464 (default 512)
 * @param windowSize RFC 7440, blocks in flight before an ACK (default 1: RFC 1350 lock-step)
 * @param timeoutMillis RFC 2349 {@code timeout}, in whole seconds on the wire
 * @param acknowledged the options to echo in an OACK; empty means no OACK is sent
 */
public record TransferOptions(int blockSize, int windowSize, int timeoutMillis, Map<String, String> acknowledged) {
    public static final int DEFAULT_BLOCK = 512;
    public static final int MAX_BLOCK = 65_464;

    public TransferOptions {
        acknowledged = new TreeMap<>(acknowledged);
    }

    /** Negotiates the client's requested options against this server's limits. */
    public static TransferOptions negotiate(Map<String, String> requested, long fileSize, int maxWindow,
            int defaultTimeoutMillis) {
        Map<String, String> ack = new TreeMap<>();
        int block = DEFAULT_BLOCK;
        int window = 1;
        int timeout = defaultTimeoutMillis;
        Integer b = number(requested.get("blksize"), 8, Integer.MAX_VALUE);
        if (b != null) {
            block = Math.min(b, MAX_BLOCK);
            ack.put("blksize", Integer.toString(block));
        }
        Integer w = number(requested.get("windowsize"), 1, 65_535);
        if (w != null) {
            window = Math.min(w, maxWindow);
            ack.put("windowsize", Integer.toString(window));
        }
        Integer t = number(requested.get("timeout"), 1, 255);
        if (t != null) {
            timeout = t * 1000;
            ack.put("timeout", Integer.toString(t));
        }
        if (number(requested.get("tsize"), 0, Integer.MAX_VALUE) != null) {
            ack.put("tsize", Long.toString(fileSize)); // RFC 2349: a read request carries 0; we answer the size
        }
        return new TransferOptions(block, window, timeout, ack);
    }

    private static Integer number(String s, int min, int max) {
        if (s == null || !s.matches("[0-9]{1,10}")) {
            return null;
        }
        long v = Long.parseLong(s);
        return v < min || v > max ? null : (int) v;
    }
}
