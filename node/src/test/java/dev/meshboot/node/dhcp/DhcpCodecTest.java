package dev.meshboot.node.dhcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class DhcpCodecTest {
    private static final byte[] MAC = HexFormat.of().parseHex("525400123401");

    /** A DISCOVER as QEMU's iPXE sends it: UEFI x86-64 arch, user class iPXE, PXE vendor class. */
    static byte[] ipxeDiscover() {
        ByteBuffer b = ByteBuffer.allocate(400);
        b.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0).putInt(0x1234abcd).putShort((short) 4)
                .putShort((short) 0x8000);
        b.position(28).put(MAC);
        b.position(236).putInt(0x63825363);
        b.put(new byte[] {53, 1, 1});
        b.put(new byte[] {57, 2, 0x05, (byte) 0xc0});
        b.put(new byte[] {93, 2, 0, 7});
        b.put(new byte[] {77, 4, 'i', 'P', 'X', 'E'});
        byte[] vc = "PXEClient:Arch:00007:UNDI:003016".getBytes();
        b.put((byte) 60).put((byte) vc.length).put(vc);
        b.put(new byte[] {55, 5, 1, 3, 6, 66, 67});
        b.put(new byte[] {(byte) 175, 3, 1, 2, 3}); // iPXE's encapsulated options: unknown to us, kept raw
        b.put((byte) 255);
        return b.array();
    }

    @Test
    void decode_readsTheHeaderAndTheOptionsAClientSends() throws DhcpFormatException {
        byte[] p = ipxeDiscover();
        DhcpMessage m = DhcpCodec.decode(p, 0, p.length);
        assertEquals(DhcpMessage.BOOTREQUEST, m.op());
        assertEquals(0x1234abcd, m.xid());
        assertEquals(4, m.secs());
        assertTrue(m.broadcast());
        assertEquals("52:54:00:12:34:01", m.mac().orElseThrow().toString());
        assertEquals(DhcpMessageType.DISCOVER, m.options().messageType().orElseThrow());
        assertEquals(List.of(7), m.options().clientArchitectures());
        assertEquals(List.of("iPXE"), m.options().userClasses());
        assertEquals("PXEClient:Arch:00007:UNDI:003016", m.options().vendorClass().orElseThrow());
        assertEquals(List.of(1, 3, 6, 66, 67), m.options().parameterRequestList());
        assertArrayEquals(new byte[] {1, 2, 3}, m.options().get(175).orElseThrow());
    }

    @Test
    void encodeThenDecode_keepsEveryFieldAndUnknownOption() throws DhcpFormatException {
        byte[] p = ipxeDiscover();
        DhcpMessage m = DhcpCodec.decode(p, 0, p.length);
        byte[] again = DhcpCodec.encode(m);
        DhcpMessage back = DhcpCodec.decode(again, 0, again.length);
        assertEquals(m.xid(), back.xid());
        assertEquals(m.flags(), back.flags());
        assertArrayEquals(m.chaddr(), back.chaddr());
        assertEquals(m.options().asMap().keySet(), back.options().asMap().keySet());
        for (int code : m.options().asMap().keySet()) {
            assertArrayEquals(m.options().get(code).orElseThrow(), back.options().get(code).orElseThrow(), "option " + code);
        }
        assertTrue(again.length >= DhcpCodec.MIN_REPLY);
    }

    @Test
    void rfc3004UserClass_isSplitIntoItsClasses() {
        DhcpOptions o = new DhcpOptions().set(DhcpOptions.USER_CLASS, new byte[] {4, 'i', 'P', 'X', 'E', 2, 'h', 'i'});
        assertEquals(List.of("iPXE", "hi"), o.userClasses());
    }

    @Test
    void longOption_isSplitOnEncode_andJoinedOnDecode() throws DhcpFormatException {
        byte[] big = new byte[600];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        DhcpOptions o = new DhcpOptions().set(DhcpOptions.MESSAGE_TYPE, new byte[] {2}).set(DhcpOptions.VENDOR_SPECIFIC, big);
        byte[] p = DhcpCodec.encode(new DhcpMessage(2, 1, 6, 0, 7, 0, 0, 0, 0, 0, 0, new byte[16], "", "", o));
        assertArrayEquals(big, DhcpCodec.decode(p, 0, p.length).options().get(DhcpOptions.VENDOR_SPECIFIC).orElseThrow());
    }

    @Test
    void overloadedFileField_isReadAsOptions() throws DhcpFormatException {
        byte[] p = ipxeDiscover();
        // Move option 66 into the file field and say so with option 52 = 1 (RFC 2132 section 9.3).
        p[108] = 66;
        p[109] = 3;
        p[110] = 'a';
        p[111] = 'b';
        p[112] = 'c';
        p[113] = (byte) 255;
        int end = indexOfEnd(p);
        p[end] = 52;
        p[end + 1] = 1;
        p[end + 2] = 1;
        p[end + 3] = (byte) 255;
        DhcpMessage m = DhcpCodec.decode(p, 0, p.length);
        assertArrayEquals("abc".getBytes(), m.options().get(66).orElseThrow());
        assertEquals("", m.file());
    }

    private static int indexOfEnd(byte[] p) {
        int i = 240;
        while ((p[i] & 0xff) != 255) {
            i += (p[i] == 0) ? 1 : 2 + (p[i + 1] & 0xff);
        }
        return i;
    }

    @Test
    void malformedPackets_areRefusedWithTheirOwnException() {
        byte[] p = ipxeDiscover();
        assertTrue(assertThrows(DhcpFormatException.class, () -> DhcpCodec.decode(p, 0, 100)).getMessage()
                .contains("need 240"));
        byte[] badCookie = p.clone();
        badCookie[236] = 0;
        assertTrue(assertThrows(DhcpFormatException.class, () -> DhcpCodec.decode(badCookie, 0, badCookie.length))
                .getMessage().contains("magic cookie"));
        byte[] overrun = p.clone();
        overrun[241] = (byte) 250; // option 53 now claims 250 bytes
        assertTrue(assertThrows(DhcpFormatException.class, () -> DhcpCodec.decode(overrun, 0, 260)).getMessage()
                .contains("option 53"));
        byte[] hlen = p.clone();
        hlen[2] = 17;
        assertThrows(DhcpFormatException.class, () -> DhcpCodec.decode(hlen, 0, hlen.length));
    }

    @Test
    void unknownMessageType_decodesAsUnknown_withItsByteKept() throws DhcpFormatException {
        byte[] p = ipxeDiscover();
        p[242] = 42;
        DhcpMessage m = DhcpCodec.decode(p, 0, p.length);
        assertEquals(DhcpMessageType.UNKNOWN, m.options().messageType().orElseThrow());
        assertArrayEquals(new byte[] {42}, m.options().get(DhcpOptions.MESSAGE_TYPE).orElseThrow());
    }

    @Property(tries = 2000)
    void randomBytes_onlyEverRaiseTheCodecsException(@ForAll @Size(max = 700) byte[] data) {
        try {
            DhcpMessage m = DhcpCodec.decode(data, 0, data.length);
            DhcpCodec.encode(m);
        } catch (DhcpFormatException expected) {
            // the one exception a codec may raise
        }
    }

    @Property(tries = 3000)
    void mutatedPackets_onlyEverRaiseTheCodecsException(@ForAll("mutations") int[] edits,
            @ForAll @IntRange(min = 0, max = 400) int cut) {
        byte[] p = ipxeDiscover();
        for (int i = 0; i + 1 < edits.length; i += 2) {
            p[Math.floorMod(edits[i], p.length)] = (byte) edits[i + 1];
        }
        try {
            DhcpMessage m = DhcpCodec.decode(p, 0, Math.min(p.length, 240 + cut));
            byte[] again = DhcpCodec.encode(m);
            DhcpCodec.decode(again, 0, again.length); // what we encode, we can read
        } catch (DhcpFormatException expected) {
            // fine
        }
    }

    @Provide
    Arbitrary<int[]> mutations() {
        return Arbitraries.integers().between(0, 400).array(int[].class).ofMinSize(2).ofMaxSize(20);
    }
}
