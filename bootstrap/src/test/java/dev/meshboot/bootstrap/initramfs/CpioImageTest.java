package dev.meshboot.bootstrap.initramfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Test;

class CpioImageTest {
    private static CpioImage sample(boolean reversed) {
        CpioImage img = new CpioImage();
        List<Runnable> steps = new ArrayList<>(List.of(
                () -> img.file("bin/busybox", 0755, "ELF".getBytes(StandardCharsets.US_ASCII)),
                () -> img.symlink("bin/sh", "busybox"),
                () -> img.characterDevice("dev/console", 0600, 5, 1),
                () -> img.file("init", 0755, "#!/bin/sh\n".getBytes(StandardCharsets.US_ASCII))));
        if (reversed) {
            java.util.Collections.reverse(steps);
        }
        steps.forEach(Runnable::run);
        return img;
    }

    @Test
    void theSameTree_givesTheSameBytes_inWhateverOrderItWasAssembled() throws Exception {
        assertArrayEquals(sample(false).toGzip(), sample(true).toGzip());
    }

    @Test
    void theArchive_isNewcWithParentsFirst_rootOwned_mtimeZero_andDevicesKept() throws Exception {
        List<String> names = new ArrayList<>();
        try (CpioArchiveInputStream in = new CpioArchiveInputStream(new GZIPInputStream(
                new ByteArrayInputStream(sample(false).toGzip())))) {
            CpioArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                names.add(e.getName());
                assertEquals(0, e.getUID());
                assertEquals(0, e.getTime());
                if (e.getName().equals("dev/console")) {
                    assertEquals(5, e.getRemoteDeviceMaj());
                    assertEquals(1, e.getRemoteDeviceMin());
                    assertEquals(0020600, e.getMode());
                }
                if (e.getName().equals(".")) {
                    assertEquals(0040755, e.getMode());
                }
            }
        }
        assertEquals(List.of(".", "bin", "bin/busybox", "bin/sh", "dev", "dev/console", "init"), names);
    }

    @Test
    void pathsThatEscape_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> new CpioImage().file("../etc/passwd", 0644, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new CpioImage().file("a/../../b", 0644, new byte[0]));
        CpioImage img = new CpioImage().file("a", 0644, new byte[0]);
        assertThrows(IllegalArgumentException.class, () -> img.file("a/b", 0644, new byte[0]));
    }
}
