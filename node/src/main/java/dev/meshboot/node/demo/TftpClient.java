package dev.meshboot.node.demo;

import dev.meshboot.node.tftp.TftpCodec;
import dev.meshboot.node.tftp.TftpFormatException;
import dev.meshboot.node.tftp.TftpPacket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;

/**
 * A TFTP read as PXE firmware does it (RFC 1350 with options, RFC 2347-2349): RRQ with {@code blksize} and
 * {@code tsize}, OACK answered with ACK 0, then lock-step DATA and ACK from the server's transfer port until a short
 * block. A lost packet is recovered by sending the last packet again after the timeout; a packet from another
 * port than the transfer's is answered with error 5 and otherwise ignored (RFC 1350 section 4). Written on the
 * project's own pure codec, so the bytes on the wire are exactly those the server's tests check.
 *
 * <p>The transfer is whatever address and port answer first. RFC 1350's transfer identifier is the port; the
 * address may differ from the one the request went to, and does here: the agent's transfer socket is bound to the
 * wildcard address, so the kernel picks the source of its replies, and on loopback that is 127.0.0.1.
 */
final class TftpClient {
    /** What PXE ROMs commonly ask for: an Ethernet frame's worth. */
    static final int BLOCK_SIZE = 1432;
    /** The largest file accepted; iPXE binaries are well under 2 MiB. */
    static final long MAX_FILE = 32L << 20;
    private static final int RETRIES = 3;

    /** Why a transfer failed. */
    static final class TftpException extends IOException {
        private static final long serialVersionUID = 1L;

        TftpException(String message) {
            super(message);
        }
    }

    private TftpClient() {}

    /**
     * Reads {@code file} from {@code server}, from the machine's address {@code local}.
     *
     * @param timeout how long to wait for each packet before sending the last one again
     */
    static byte[] read(InetAddress local, InetSocketAddress server, String file, Duration timeout) throws IOException {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(local, 0))) {
            s.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            byte[] last = TftpCodec.encode(new TftpPacket.Request(false, file, "octet",
                    Map.of("blksize", Integer.toString(BLOCK_SIZE), "tsize", "0")));
            SocketAddress lastTo = server;
            SocketAddress transfer = null;
            int blockSize = dev.meshboot.node.tftp.TransferOptions.DEFAULT_BLOCK; // until an OACK says otherwise
            int expected = 1;
            int tries = 0;
            s.send(new DatagramPacket(last, last.length, lastTo));
            byte[] in = new byte[TftpCodec.MAX_PACKET];
            while (true) {
                DatagramPacket p = new DatagramPacket(in, in.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    if (++tries > RETRIES) {
                        throw new TftpException("no answer from " + server + " within " + timeout.toMillis() + " ms, "
                                + RETRIES + " times (" + content.size() + " bytes received)");
                    }
                    s.send(new DatagramPacket(last, last.length, lastTo));
                    continue;
                }
                if (transfer == null) {
                    transfer = p.getSocketAddress();
                } else if (!p.getSocketAddress().equals(transfer)) {
                    byte[] err = TftpCodec.encode(new TftpPacket.Error(TftpPacket.Error.UNKNOWN_TID, "unknown TID"));
                    s.send(new DatagramPacket(err, err.length, p.getSocketAddress()));
                    continue;
                }
                TftpPacket packet;
                try {
                    packet = TftpCodec.decode(in, 0, p.getLength());
                } catch (TftpFormatException e) {
                    throw new TftpException("malformed packet from " + transfer + ": " + e.getMessage());
                }
                tries = 0;
                switch (packet) {
                    case TftpPacket.OptionAck o -> {
                        blockSize = Integer.parseInt(o.options().getOrDefault("blksize", "512"));
                        long size = Long.parseLong(o.options().getOrDefault("tsize", "0"));
                        if (size > MAX_FILE || blockSize < 8 || blockSize > BLOCK_SIZE) {
                            throw new TftpException("refused the server's options " + o.options());
                        }
                        last = TftpCodec.encode(new TftpPacket.Ack(0));
                        lastTo = transfer;
                        s.send(new DatagramPacket(last, last.length, lastTo));
                    }
                    case TftpPacket.Data d -> {
                        if (d.block() == (expected & 0xffff)) {
                            if (content.size() + d.length() > MAX_FILE) {
                                throw new TftpException(file + " is larger than " + MAX_FILE + " bytes");
                            }
                            content.write(d.data(), d.offset(), d.length());
                            expected++;
                            last = TftpCodec.encode(new TftpPacket.Ack(d.block()));
                            lastTo = transfer;
                            s.send(new DatagramPacket(last, last.length, lastTo));
                            if (d.length() < blockSize) {
                                return content.toByteArray();
                            }
                        } else {
                            s.send(new DatagramPacket(last, last.length, lastTo)); // a duplicate: our ACK was lost
                        }
                    }
                    case TftpPacket.Error e -> throw new TftpException("TFTP error " + e.code() + " from " + transfer
                            + ": " + e.message());
                    default -> throw new TftpException("unexpected " + packet.getClass().getSimpleName() + " from "
                            + transfer);
                }
            }
        }
    }
}
