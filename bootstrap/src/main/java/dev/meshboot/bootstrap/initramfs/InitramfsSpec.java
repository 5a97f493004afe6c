package dev.meshboot.bootstrap.initramfs;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What goes into a meshboot initramfs (docs/boot-flow.md, "The initramfs").
 *
 * @param kernelVersion the {@code uname -r} of the kernel it boots, e.g. {@code 6.1.0-56-amd64}
 * @param modules that kernel's module directory ({@code lib/modules/VERSION}, with depmod's files)
 * @param drivers modules matched by modalias at boot (NICs, disk controllers); missing ones are reported, not fatal
 * @param alwaysLoad modules loaded whatever the hardware (the filesystems disk mode mounts)
 * @param busybox a statically linked busybox: the shell and every small tool of {@code /init}
 * @param tools programs copied with their shared libraries, at the same paths (GNU tar, zstd, disk tools)
 * @param extraFiles more files by their path in the image (e.g. {@code etc/mke2fs.conf})
 */
public record InitramfsSpec(String kernelVersion, Path modules, List<String> drivers, List<String> alwaysLoad,
        Path busybox, List<Path> tools, Map<String, Path> extraFiles) {

    public InitramfsSpec {
        drivers = List.copyOf(drivers);
        alwaysLoad = List.copyOf(alwaysLoad);
        tools = List.copyOf(tools);
        extraFiles = Map.copyOf(extraFiles);
    }

    /** Common server and virtual NICs, with the PCI transport virtio devices sit behind. */
    public static final List<String> NIC_DRIVERS = List.of("e1000", "e1000e", "igb", "igc", "ixgbe", "i40e", "ice",
            "bnxt_en", "tg3", "r8169", "mlx4_en", "mlx5_core", "vmxnet3", "virtio_pci", "virtio_net");

    /** Disk controllers for disk mode and for booting an installed disk. */
    public static final List<String> STORAGE_DRIVERS = List.of("virtio_pci", "virtio_blk", "virtio_scsi", "ahci",
            "ata_piix", "nvme", "sd_mod", "megaraid_sas", "mpt3sas");

    /** Filesystems disk mode makes and mounts, first the checksum ext4 asks the crypto API for (the kernel cannot
     * load it on demand: there is no modprobe helper in the initramfs); vfat is the EFI system partition's. */
    public static final List<String> FILESYSTEMS = List.of("crc32c_generic", "crc32c_intel", "libcrc32c", "ext4",
            "vfat", "nls_cp437", "nls_ascii", "nls_iso8859_1", "nls_utf8");

    /** The programs {@code /init} needs beyond busybox, at their Debian paths. */
    public static final List<Path> TOOLS = List.of(Path.of("/usr/bin/tar"), Path.of("/usr/bin/zstd"),
            Path.of("/usr/sbin/sfdisk"), Path.of("/usr/sbin/mkfs.ext4"), Path.of("/usr/sbin/mkfs.vfat"));
}
