package dev.meshboot.bootstrap.artifacts;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * GRUB for a disk install, prepared at artifact-build time so that {@code /init} installs it with two {@code dd}s
 * and a copy, and needs neither {@code grub-install} nor GRUB's module directories (docs/boot-flow.md, "Disk mode").
 *
 * <ul>
 *   <li>BIOS: {@code boot.img} goes into the MBR's first 440 bytes and {@code core.img} into the GPT BIOS boot
 *       partition, which meshboot's layout always puts at LBA 2048. What {@code grub-bios-setup} would patch is
 *       patched here, in the files: boot.img's kernel sector (offset 0x5C, LBA of core.img), its boot drive (0x64,
 *       0xFF = the drive the BIOS booted) and the drive check (0x66, two NOPs, for hard disks); and core.img's first
 *       blocklist (the last 12 bytes of its first sector: start LBA, sector count, load segment 0x820).
 *   <li>UEFI: a standalone {@code BOOTX64.EFI} for the EFI system partition's removable-media path, which firmware
 *       boots without an NVRAM entry.
 * </ul>
 * Both embed the same early config: find the filesystem labelled {@code meshroot} and read its
 * {@code /boot/grub/grub.cfg}, which {@code /init} writes.
 */
public final class GrubImages {
    /** LBA of the BIOS boot partition in meshboot's GPT layout. */
    public static final long CORE_LBA = 2048;
    static final int KERNEL_SECTOR = 0x5C;
    static final int BOOT_DRIVE = 0x64;
    static final int DRIVE_CHECK = 0x66;
    static final int BLOCKLIST = 512 - 12;
    static final int CORE_SEGMENT = 0x820;

    static final List<String> COMMON = List.of("part_gpt", "part_msdos", "ext2", "fat", "normal", "linux", "search",
            "search_label", "search_fs_uuid", "configfile", "echo", "serial", "terminal", "test", "boot", "sleep", "gzio");
    static final String EARLY_CONFIG = """
            search --no-floppy --label --set=root meshroot
            set prefix=($root)/boot/grub
            configfile ($root)/boot/grub/grub.cfg
            """;

    /** The three files. */
    public record Images(byte[] bootImg, byte[] coreImg, byte[] efi) {}

    private GrubImages() {}

    /** Builds the images with {@code grub-mkimage} from GRUB's module directory ({@code /usr/lib/grub}). */
    public static Images build(Path grubLib) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("meshboot-grub");
        try {
            Path early = Files.writeString(work.resolve("early.cfg"), EARLY_CONFIG, StandardCharsets.UTF_8);
            List<String> bios = new ArrayList<>(List.of("biosdisk"));
            bios.addAll(COMMON);
            mkimage(grubLib.resolve("i386-pc"), "i386-pc", work.resolve("core.img"), early, bios);
            List<String> efi = new ArrayList<>(COMMON);
            efi.addAll(List.of("efi_gop", "all_video"));
            mkimage(grubLib.resolve("x86_64-efi"), "x86_64-efi", work.resolve("BOOTX64.EFI"), early, efi);
            byte[] boot = patchBootImg(Files.readAllBytes(grubLib.resolve("i386-pc/boot.img")), CORE_LBA);
            byte[] core = patchCoreImg(Files.readAllBytes(work.resolve("core.img")), CORE_LBA);
            return new Images(boot, core, Files.readAllBytes(work.resolve("BOOTX64.EFI")));
        } finally {
            try (var s = Files.list(work)) {
                for (Path p : s.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(work);
        }
    }

    private static void mkimage(Path dir, String format, Path out, Path early, List<String> modules)
            throws IOException, InterruptedException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("GRUB modules for " + format + " not found in " + dir
                    + " (Debian: grub-pc-bin and grub-efi-amd64-bin)");
        }
        List<String> cmd = new ArrayList<>(List.of("grub-mkimage", "-d", dir.toString(), "-O", format, "-o",
                out.toString(), "-c", early.toString(), "-p", "/boot/grub"));
        cmd.addAll(modules);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("grub-mkimage -O " + format + " failed: " + log.strip());
        }
    }

    /** boot.img with core.img's LBA, "use the BIOS boot drive", and the floppy-drive check removed. */
    static byte[] patchBootImg(byte[] bootImg, long coreLba) throws IOException {
        if (bootImg.length != 512 || (bootImg[510] & 0xff) != 0x55 || (bootImg[511] & 0xff) != 0xAA) {
            throw new IOException("boot.img is not a 512-byte boot sector");
        }
        byte[] b = bootImg.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(KERNEL_SECTOR, coreLba);
        b[BOOT_DRIVE] = (byte) 0xFF;
        b[DRIVE_CHECK] = (byte) 0x90;
        b[DRIVE_CHECK + 1] = (byte) 0x90;
        return b;
    }

    /** core.img whose first blocklist loads the rest of itself from the sectors after {@code coreLba}. */
    static byte[] patchCoreImg(byte[] coreImg, long coreLba) throws IOException {
        int sectors = (coreImg.length + 511) / 512;
        if (sectors < 2 || sectors > 2048) {
            throw new IOException("core.img of " + coreImg.length + " bytes does not fit the 1 MiB BIOS boot partition");
        }
        byte[] padded = new byte[sectors * 512];
        System.arraycopy(coreImg, 0, padded, 0, coreImg.length);
        ByteBuffer.wrap(padded).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(BLOCKLIST, coreLba + 1)
                .putShort(BLOCKLIST + 8, (short) (sectors - 1))
                .putShort(BLOCKLIST + 10, (short) CORE_SEGMENT);
        return padded;
    }
}
