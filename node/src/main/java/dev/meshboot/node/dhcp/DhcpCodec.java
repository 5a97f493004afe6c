package dev.meshboot.node.dhcp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The DHCP wire format (RFC 2131 section 2; options RFC 2132; option overload RFC 2132 section 9.3; long options
 * RFC 3396), as pure functions: bytes in, a {@link DhcpMessage} out, and back. No I/O, no policy.
 *
 * <p>Decoding is strict about structure and lenient about content: a packet shorter than the fixed header, with a
 * wrong magic cookie, or with an option running past the end is refused with a {@link DhcpFormatException};
 * unknown options and message types are kept as raw bytes.
 */
public final class DhcpCodec {
    /** The fixed BOOTP header before the options: 236 bytes. */
    public static final int HEADER = 236;
    /** RFC 2131's minimum a client must accept: 576-byte IP datagrams, i.e. 548 bytes of DHCP. */
    public static final int MIN_REPLY = 300;
    /** Largest message decoded: a UDP datagram cannot carry more, and nothing larger is allocated. */
    public static final int MAX_MESSAGE = 65_507;
    private static final int MAGIC = 0x63825363;

    private DhcpCodec() {}

    public static DhcpMessage decode(byte[] data, int offset, int length) throws DhcpFormatException {
        if (length < HEADER + 4) {
            throw new DhcpFormatException("message is " + length + " bytes; the header and magic cookie need "
                    + (HEADER + 4));
        }
        if (length > MAX_MESSAGE) {
            throw new DhcpFormatException("message is " + length + " bytes; limit " + MAX_MESSAGE);
        }
        ByteBuffer b = ByteBuffer.wrap(data, offset, length).slice();
        int op = b.get(0) & 0xff;
        int htype = b.get(1) & 0xff;
        int hlen = b.get(2) & 0xff;
        if (hlen > 16) {
            throw new DhcpFormatException("hlen " + hlen + " exceeds the 16-byte chaddr field");
        }
        int hops = b.get(3) & 0xff;
        int xid = b.getInt(4);
        int secs = b.getShort(8) & 0xffff;
        int flags = b.getShort(10) & 0xffff;
        int ciaddr = b.getInt(12);
        int yiaddr = b.getInt(16);
        int siaddr = b.getInt(20);
        int giaddr = b.getInt(24);
        byte[] chaddr = new byte[16];
        b.get(28, chaddr);
        if (b.getInt(HEADER) != MAGIC) {
            throw new DhcpFormatException(String.format("magic cookie is 0x%08x, not 0x%08x (a BOOTP-only client?)",
                    b.getInt(HEADER), MAGIC));
        }
        DhcpOptions options = new DhcpOptions();
        int overload = parseOptions(b, HEADER + 4, length, options, "options");
        String sname = cString(b, 44, 64);
        String file = cString(b, 108, 128);
        if (overload == 1 || overload == 3) {
            parseOptions(b, 108, 108 + 128, options, "file (overloaded)");
            file = "";
        }
        if (overload == 2 || overload == 3) {
            parseOptions(b, 44, 44 + 64, options, "sname (overloaded)");
            sname = "";
        }
        return new DhcpMessage(op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr,
                sname, file, options);
    }

    /** Parses options from [start, end); returns the overload value (option 52) if present, else 0. */
    private static int parseOptions(ByteBuffer b, int start, int end, DhcpOptions into, String where)
            throws DhcpFormatException {
        int i = start;
        int overload = 0;
        byte[] raw = new byte[end - start];
        b.get(start, raw);
        while (i < end) {
            int code = b.get(i) & 0xff;
            if (code == 0) {
                i++;
                continue;
            }
            if (code == 255) {
                return overload;
            }
            if (i + 1 >= end) {
                throw new DhcpFormatException("option " + code + " in " + where + " at byte " + i + " has no length");
            }
            int len = b.get(i + 1) & 0xff;
            if (i + 2 + len > end) {
                throw new DhcpFormatException("option " + code + " in " + where + " at byte " + i + " claims " + len
                        + " bytes, " + (end - i - 2) + " remain");
            }
            into.append(code, raw, i + 2 - start, len);
            if (code == DhcpOptions.OVERLOAD && len == 1) {
                overload = b.get(i + 2) & 0xff;
            }
            i += 2 + len;
        }
        // RFC 2131 requires the end option, but many clients pad without it; accept the end of the field.
        return overload;
    }

    private static String cString(ByteBuffer b, int offset, int length) {
        int end = offset;
        while (end < offset + length && b.get(end) != 0) {
            end++;
        }
        byte[] s = new byte[end - offset];
        b.get(offset, s);
        return new String(s, StandardCharsets.ISO_8859_1);
    }

    /** Encodes a message, padded to {@link #MIN_REPLY} bytes as RFC 1542 section 3.4 advises for old relays. */
    public static byte[] encode(DhcpMessage m) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + 4);
        b.put((byte) m.op()).put((byte) m.htype()).put((byte) m.hlen()).put((byte) m.hops());
        b.putInt(m.xid()).putShort((short) m.secs()).putShort((short) m.flags());
        b.putInt(m.ciaddr()).putInt(m.yiaddr()).putInt(m.siaddr()).putInt(m.giaddr());
        b.put(m.chaddr(), 0, 16);
        putField(b, 44, 64, m.sname());
        putField(b, 108, 128, m.file());
        b.putInt(HEADER, MAGIC);
        ByteArrayOutputStream out = new ByteArrayOutputStream(MIN_REPLY);
        out.writeBytes(b.array());
        for (Map.Entry<Integer, byte[]> o : m.options().asMap().entrySet()) {
            byte[] v = o.getValue();
            int pos = 0;
            do { // RFC 3396: a value over 255 bytes is split into consecutive options of the same code
                int n = Math.min(255, v.length - pos);
                out.write(o.getKey());
                out.write(n);
                out.write(v, pos, n);
                pos += n;
            } while (pos < v.length);
        }
        out.write(255);
        while (out.size() < MIN_REPLY) {
            out.write(0);
        }
        return out.toByteArray();
    }

    private static void putField(ByteBuffer b, int offset, int length, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        if (bytes.length > length) {
            throw new IllegalArgumentException("'" + s + "' does not fit the " + length + "-byte field");
        }
        b.put(offset, bytes);
    }
}
