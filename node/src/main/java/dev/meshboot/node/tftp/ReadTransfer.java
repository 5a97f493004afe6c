package dev.meshboot.node.tftp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One read transfer's state machine, free of sockets and clocks: it says which packets to send now, on an ACK,
 * and when the timer fires. The server adapts it to a socket; tests drive it with a hand-set time.
 *
 * <p>Blocks are counted with a 64-bit number and put on the wire modulo 65536, so a file of more than 65,535
 * blocks rolls over to block 0 and goes on (the rollover tftp-hpa, atftp and iPXE expect). A window of
 * {@code windowSize} blocks is sent before waiting (RFC 7440); an ACK for block n slides the window to n+1; a
 * duplicate or stale ACK is ignored rather than answered, which avoids the Sorcerer's Apprentice syndrome of
 * RFC 1350. A timeout resends from the first unacknowledged block, up to {@code maxRetries} times.
 */
public final class ReadTransfer {
    /** Where blocks come from: positional reads, so a retransmission re-reads instead of buffering the file. */
    public interface BlockSource {
        long size();

        int read(long position, byte[] into, int offset, int length) throws IOException;
    }

    private final BlockSource source;
    private final TransferOptions options;
    private final int maxRetries;
    private final long totalBlocks;
    private long acked;
    private long sent;
    private long deadline;
    private int retries;
    private boolean awaitingOack;

    public ReadTransfer(BlockSource source, TransferOptions options, int maxRetries) {
        this.source = source;
        this.options = options;
        this.maxRetries = maxRetries;
        this.totalBlocks = source.size() / options.blockSize() + 1; // the last block is short, possibly empty
    }

    /** The packets that open the transfer: an OACK when options were acknowledged, else the first window. */
    public List<byte[]> start(long nowMillis) throws IOException {
        deadline = nowMillis + options.timeoutMillis();
        if (!options.acknowledged().isEmpty()) {
            awaitingOack = true;
            return List.of(TftpCodec.encode(new TftpPacket.OptionAck(options.acknowledged())));
        }
        return window();
    }

    /** An ACK for wire block {@code block}; returns what to send next (nothing for a stale or duplicate ACK). */
    public List<byte[]> onAck(int block, long nowMillis) throws IOException {
        if (awaitingOack) {
            if (block != 0) {
                return List.of();
            }
            awaitingOack = false;
            retries = 0;
            deadline = nowMillis + options.timeoutMillis();
            return window();
        }
        // Map the 16-bit block back to the logical block in (acked, sent].
        long candidate = -1;
        for (long n = acked + 1; n <= sent; n++) {
            if ((n & 0xffff) == block) {
                candidate = n;
                break;
            }
        }
        if (candidate < 0) {
            return List.of();
        }
        acked = candidate;
        retries = 0;
        deadline = nowMillis + options.timeoutMillis();
        if (acked < sent) {
            return List.of(); // the rest of the window is still in flight (RFC 7440 lets a client ack early)
        }
        return window();
    }

    /**
     * Called when the timer fires. Returns the packets to resend, or throws when the retries are exhausted.
     * Before the deadline it returns nothing.
     */
    public List<byte[]> onTimer(long nowMillis) throws IOException {
        if (done() || nowMillis < deadline) {
            return List.of();
        }
        if (++retries > maxRetries) {
            throw new IOException("no ACK after " + maxRetries + " retransmissions (block " + (acked + 1) + " of "
                    + totalBlocks + ")");
        }
        deadline = nowMillis + options.timeoutMillis();
        if (awaitingOack) {
            return List.of(TftpCodec.encode(new TftpPacket.OptionAck(options.acknowledged())));
        }
        sent = acked;
        return window();
    }

    private List<byte[]> window() throws IOException {
        List<byte[]> out = new ArrayList<>();
        while (sent < totalBlocks && sent - acked < options.windowSize()) {
            long n = ++sent;
            long position = (n - 1) * options.blockSize();
            int length = (int) Math.max(0, Math.min(options.blockSize(), source.size() - position));
            byte[] packet = new byte[4 + length];
            System.arraycopy(TftpCodec.dataHeader((int) (n & 0xffff)), 0, packet, 0, 4);
            int read = 0;
            while (read < length) {
                int r = source.read(position + read, packet, 4 + read, length - read);
                if (r < 0) {
                    throw new IOException("file shrank while it was being sent");
                }
                read += r;
            }
            out.add(packet);
        }
        return out;
    }

    public boolean done() {
        return acked == totalBlocks;
    }

    public long deadline() {
        return deadline;
    }

    public long totalBlocks() {
        return totalBlocks;
    }
}
