package dev.meshboot.node.tftp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The TFTP wire format as pure functions (RFC 1350 section 5; option extension RFC 2347). A request is bounded to
 * 512 bytes (RFC 2347 section 2), so no request can make the server allocate more; strings must be NUL-terminated.
 */
public final class TftpCodec {
    /** RFC 2347: "the request packet ... must not exceed 512 octets". */
    public static final int MAX_REQUEST = 512;
    /** The largest DATA a client may send back to us: 4-byte header plus RFC 2348's maximum blksize. */
    public static final int MAX_PACKET = 4 + 65_464;

    private TftpCodec() {}

    public static TftpPacket decode(byte[] b, int off, int len) throws TftpFormatException {
        if (len < 4) {
            throw new TftpFormatException("packet is " + len + " bytes; the shortest TFTP packet has 4");
        }
        if (len > MAX_PACKET) {
            throw new TftpFormatException("packet is " + len + " bytes; limit " + MAX_PACKET);
        }
        int opcode = u16(b, off);
        switch (opcode) {
            case TftpPacket.RRQ, TftpPacket.WRQ -> {
                if (len > MAX_REQUEST) {
                    throw new TftpFormatException("request is " + len + " bytes; RFC 2347 allows 512");
                }
                int[] pos = {off + 2};
                int end = off + len;
                String filename = string(b, pos, end, "filename");
                String mode = string(b, pos, end, "mode").toLowerCase(Locale.ROOT);
                Map<String, String> options = new TreeMap<>();
                while (pos[0] < end) {
                    String name = string(b, pos, end, "option name").toLowerCase(Locale.ROOT);
                    String value = string(b, pos, end, "value of option '" + name + "'");
                    options.put(name, value);
                }
                return new TftpPacket.Request(opcode == TftpPacket.WRQ, filename, mode, options);
            }
            case TftpPacket.DATA -> {
                return new TftpPacket.Data(u16(b, off + 2), b, off + 4, len - 4);
            }
            case TftpPacket.ACK -> {
                if (len != 4) {
                    throw new TftpFormatException("ACK is " + len + " bytes, not 4");
                }
                return new TftpPacket.Ack(u16(b, off + 2));
            }
            case TftpPacket.ERROR -> {
                int[] pos = {off + 4};
                String msg = len > 4 ? string(b, pos, off + len, "error message") : "";
                return new TftpPacket.Error(u16(b, off + 2), msg);
            }
            case TftpPacket.OACK -> {
                int[] pos = {off + 2};
                Map<String, String> options = new TreeMap<>();
                while (pos[0] < off + len) {
                    options.put(string(b, pos, off + len, "option name").toLowerCase(Locale.ROOT),
                            string(b, pos, off + len, "option value"));
                }
                return new TftpPacket.OptionAck(options);
            }
            default -> throw new TftpFormatException("unknown opcode " + opcode);
        }
    }

    public static byte[] encode(TftpPacket p) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32);
        switch (p) {
            case TftpPacket.Request r -> {
                u16(out, r.write() ? TftpPacket.WRQ : TftpPacket.RRQ);
                string(out, r.filename());
                string(out, r.mode());
                r.options().forEach((k, v) -> {
                    string(out, k);
                    string(out, v);
                });
            }
            case TftpPacket.Data d -> {
                u16(out, TftpPacket.DATA);
                u16(out, d.block());
                out.write(d.data(), d.offset(), d.length());
            }
            case TftpPacket.Ack a -> {
                u16(out, TftpPacket.ACK);
                u16(out, a.block());
            }
            case TftpPacket.Error e -> {
                u16(out, TftpPacket.ERROR);
                u16(out, e.code());
                string(out, e.message());
            }
            case TftpPacket.OptionAck o -> {
                u16(out, TftpPacket.OACK);
                o.options().forEach((k, v) -> {
                    string(out, k);
                    string(out, v);
                });
            }
        }
        return out.toByteArray();
    }

    /** The header of a DATA packet, for servers that send the payload from a file without copying it. */
    public static byte[] dataHeader(int block) {
        return new byte[] {0, TftpPacket.DATA, (byte) (block >>> 8), (byte) block};
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private static String string(byte[] b, int[] pos, int end, String what) throws TftpFormatException {
        int start = pos[0];
        int i = start;
        while (i < end && b[i] != 0) {
            i++;
        }
        if (i >= end) {
            throw new TftpFormatException(what + " is not NUL-terminated");
        }
        pos[0] = i + 1;
        return new String(b, start, i - start, StandardCharsets.US_ASCII);
    }

    private static void string(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
        out.write(0);
    }
}
