package dev.meshboot.node.tftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The transfer state machine with a hand-set clock: no sockets, no sleeping. */
class ReadTransferTest {
    private static ReadTransfer.BlockSource source(long size) {
        return new ReadTransfer.BlockSource() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public int read(long position, byte[] into, int offset, int length) {
                for (int i = 0; i < length; i++) {
                    into[offset + i] = (byte) ((position + i) % 251);
                }
                return length;
            }
        };
    }

    private static TransferOptions plain(int block, int window) {
        return new TransferOptions(block, window, 1000, Map.of());
    }

    private static int block(byte[] packet) {
        return ((packet[2] & 0xff) << 8) | (packet[3] & 0xff);
    }

    @Test
    void lockStep_sendsOneBlockPerAck_andEndsWithAShortBlock() throws IOException {
        ReadTransfer t = new ReadTransfer(source(1300), plain(512, 1), 3);
        List<byte[]> first = t.start(0);
        assertEquals(1, first.size());
        assertEquals(1, block(first.getFirst()));
        assertEquals(4 + 512, first.getFirst().length);
        assertEquals(2, block(t.onAck(1, 10).getFirst()));
        byte[] last = t.onAck(2, 20).getFirst();
        assertEquals(3, block(last));
        assertEquals(4 + 1300 - 1024, last.length);
        assertEquals(List.of(), t.onAck(3, 30));
        assertTrue(t.done());
    }

    @Test
    void fileOfWholeBlocks_endsWithAnEmptyBlock() throws IOException {
        ReadTransfer t = new ReadTransfer(source(1024), plain(512, 1), 3);
        t.start(0);
        t.onAck(1, 0);
        byte[] empty = t.onAck(2, 0).getFirst();
        assertEquals(3, block(empty));
        assertEquals(4, empty.length);
    }

    @Test
    void duplicateAck_isIgnored_notAnsweredWithAnotherBlock() throws IOException {
        ReadTransfer t = new ReadTransfer(source(5000), plain(512, 1), 3);
        t.start(0);
        t.onAck(1, 0);
        assertEquals(List.of(), t.onAck(1, 0), "answering a duplicate ACK doubles traffic (Sorcerer's Apprentice)");
    }

    @Test
    void timeout_resendsFromTheFirstUnacknowledgedBlock_thenGivesUp() throws IOException {
        ReadTransfer t = new ReadTransfer(source(5000), plain(512, 4), 2);
        assertEquals(4, t.start(0).size());
        assertEquals(List.of(), t.onAck(2, 100), "an early ACK inside the window waits for the rest");
        assertEquals(List.of(), t.onTimer(1099), "not yet due");
        List<byte[]> again = t.onTimer(1100);
        assertEquals(List.of(3, 4, 5, 6), again.stream().map(ReadTransferTest::block).toList());
        t.onTimer(2100);
        assertThrows(IOException.class, () -> t.onTimer(3100));
    }

    @Test
    void window_sendsWindowSizeBlocks_andSlidesOnTheLastAck() throws IOException {
        ReadTransfer t = new ReadTransfer(source(100_000), plain(1000, 16), 3);
        assertEquals(16, t.start(0).size());
        List<byte[]> next = t.onAck(16, 5);
        assertEquals(16, next.size());
        assertEquals(17, block(next.getFirst()));
    }

    @Test
    void options_areAcknowledgedFirst_andDataStartsAfterAck0() throws Exception {
        TransferOptions o = TransferOptions.negotiate(Map.of("blksize", "1468", "tsize", "0", "windowsize", "200",
                "timeout", "3", "bogus", "1"), 5000, 64, 1000);
        assertEquals(Map.of("blksize", "1468", "tsize", "5000", "windowsize", "64", "timeout", "3"), o.acknowledged());
        ReadTransfer t = new ReadTransfer(source(5000), o, 3);
        byte[] oack = t.start(0).getFirst();
        assertTrue(TftpCodec.decode(oack, 0, oack.length) instanceof TftpPacket.OptionAck);
        List<byte[]> data = t.onAck(0, 10);
        assertEquals(4, data.size(), "5000 bytes at 1468 per block is 4 blocks, all inside the window");
    }

    @Test
    void blockNumbers_rollOverPast65535() throws IOException {
        int block = 8;
        long blocks = 70_000;
        ReadTransfer t = new ReadTransfer(source(blocks * block + 3), plain(block, 1), 1);
        List<byte[]> out = t.start(0);
        long n = 1;
        while (!t.done()) {
            int wire = block(out.getFirst());
            assertEquals(n & 0xffff, wire, "block " + n);
            out = t.onAck(wire, 0);
            n++;
        }
        assertEquals(blocks + 1, t.totalBlocks());
        assertEquals(blocks + 2, n);
    }

    @Test
    void malformedRequest_isRefusedWithTheCodecsException() {
        byte[] noNul = {0, 1, 'a', 'b'};
        assertThrows(TftpFormatException.class, () -> TftpCodec.decode(noNul, 0, noNul.length));
        byte[] tooLong = new byte[600];
        tooLong[1] = 1;
        assertThrows(TftpFormatException.class, () -> TftpCodec.decode(tooLong, 0, tooLong.length));
        assertThrows(TftpFormatException.class, () -> TftpCodec.decode(new byte[] {0, 9, 0, 0}, 0, 4));
    }

    @Test
    void request_optionNamesAreCaseInsensitive() throws TftpFormatException {
        byte[] rrq = TftpCodec.encode(new TftpPacket.Request(false, "ipxe.efi", "octet", Map.of("BLKSIZE", "1468")));
        TftpPacket.Request r = (TftpPacket.Request) TftpCodec.decode(rrq, 0, rrq.length);
        assertEquals("1468", r.options().get("blksize"));
        assertEquals("ipxe.efi", r.filename());
    }
}
