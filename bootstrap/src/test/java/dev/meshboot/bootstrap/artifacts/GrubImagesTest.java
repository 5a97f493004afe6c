package dev.meshboot.bootstrap.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * The fields grub-bios-setup would write, written by meshboot at build time instead. A lab run on this machine
 * checked the same offsets against grub-bios-setup itself: with --no-rs-codes its result was byte-identical.
 */
class GrubImagesTest {
    private static byte[] bootSector() {
        byte[] b = new byte[512];
        b[0x66] = (byte) 0xEB; // the "jmp" of the floppy check
        b[0x67] = 0x05;
        b[510] = 0x55;
        b[511] = (byte) 0xAA;
        return b;
    }

    @Test
    void bootImg_pointsAtCoreImg_usesTheBiosDrive_andSkipsTheFloppyCheck() throws IOException {
        byte[] b = GrubImages.patchBootImg(bootSector(), 2048);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(2048L, buf.getLong(0x5C));
        assertEquals((byte) 0xFF, b[0x64]);
        assertEquals((byte) 0x90, b[0x66]);
        assertEquals((byte) 0x90, b[0x67]);
    }

    @Test
    void coreImg_blocklistLoadsTheRestOfItselfFromTheNextSectors() throws IOException {
        byte[] core = GrubImages.patchCoreImg(new byte[162111], 2048);
        assertEquals(317 * 512, core.length);
        ByteBuffer buf = ByteBuffer.wrap(core).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(2049L, buf.getLong(500));
        assertEquals(316, buf.getShort(508));
        assertEquals(0x820, buf.getShort(510));
    }

    @Test
    void aCoreImgLargerThanTheBiosBootPartition_orNotABootSector_isRefused() {
        assertThrows(IOException.class, () -> GrubImages.patchCoreImg(new byte[2049 * 512], 2048));
        assertThrows(IOException.class, () -> GrubImages.patchBootImg(new byte[512], 2048));
    }
}
