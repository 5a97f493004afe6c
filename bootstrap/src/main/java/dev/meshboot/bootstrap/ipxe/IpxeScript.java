package dev.meshboot.bootstrap.ipxe;

import dev.meshboot.clusterconfig.Profile;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Renders a machine's iPXE script, a pure function of what the machine should boot. Two shapes:
 * <ul>
 *   <li>a network boot: the kernel and initramfs from the boot servers, with {@code /init}'s command line
 *       ({@code meshboot.servers=}, {@code meshboot.snapshot=}, {@code meshboot.mode=}, {@code meshboot.node=});
 *       {@code initrd=} names the initramfs, which UEFI kernels need to find it;
 *   <li>a local boot, for a disk-installed machine with no reinstall pending: {@code sanboot} of the first BIOS
 *       disk, or under UEFI GRUB chained from the server, which boots the disk ({@link #localDisk}). This keeps
 *       disk machines network-first: a reinstall is a change of this script, not a trip to the BIOS menu.
 * </ul>
 * Every value interpolated into a script is checked against a strict pattern, so a document cannot inject iPXE
 * commands.
 */
public final class IpxeScript {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:/=,+@%-]*");

    /**
     * What a network boot needs.
     *
     * @param options further {@code meshboot.KEY=VALUE} parameters for {@code /init} (docs/boot-flow.md), in order
     */
    public record NetworkBoot(String node, List<String> servers, String snapshot, Profile.InstallMode mode,
            String kernelUrl, String initrdUrl, Map<String, String> options) {
        public NetworkBoot {
            servers = List.copyOf(servers);
            options = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options));
        }

        public NetworkBoot(String node, List<String> servers, String snapshot, Profile.InstallMode mode,
                String kernelUrl, String initrdUrl) {
            this(node, servers, snapshot, mode, kernelUrl, initrdUrl, Map.of());
        }
    }

    private IpxeScript() {}

    public static String network(NetworkBoot b) {
        String initrdName = b.initrdUrl().substring(b.initrdUrl().lastIndexOf('/') + 1);
        String cmdline = "initrd=" + safe(initrdName) + " console=tty0 console=ttyS0,115200"
                + " meshboot.node=" + safe(b.node())
                + " meshboot.servers=" + safe(String.join(",", b.servers()))
                + " meshboot.snapshot=" + safe(b.snapshot())
                + " meshboot.mode=" + (b.mode() == Profile.InstallMode.DISK ? "disk" : "ram");
        for (Map.Entry<String, String> o : b.options().entrySet()) {
            if (!o.getKey().matches("[a-z]{1,32}")) {
                throw new IllegalArgumentException("'" + o.getKey() + "' is not a meshboot option name");
            }
            cmdline += " meshboot." + o.getKey() + "=" + safe(o.getValue());
        }
        return "#!ipxe\n"
                + "echo meshboot: booting " + safe(b.node()) + " from the network (" + (b.mode() == Profile.InstallMode.DISK
                        ? "disk install" : "ramdisk") + ")\n"
                + "kernel " + safe(b.kernelUrl()) + " " + cmdline + " || goto failed\n"
                + "initrd " + safe(b.initrdUrl()) + " || goto failed\n"
                + "boot || goto failed\n"
                + ":failed\n"
                + "echo meshboot: network boot failed; retrying in 10 s\n"
                + "sleep 10\n"
                + "reboot\n";
    }

    /** A machine that cannot be booted now (no snapshot, no artifacts): say why, wait, and ask again. */
    public static String unavailable(String node, String reason) {
        return "#!ipxe\n"
                + "echo meshboot: cannot boot " + safe(node) + " now: " + reason.replaceAll("[^A-Za-z0-9 ._:/,()-]", "?")
                + "\n"
                + "sleep 30\n"
                + "reboot\n";
    }

    /**
     * Boot the local disk. BIOS: {@code sanboot} of the first BIOS disk, whose MBR holds GRUB. UEFI: iPXE cannot
     * boot a local disk, and {@code exit} hands back to the firmware, which may spend minutes on its other network
     * entries (PXE over IPv6, HTTP boot) before it reaches the disk; so it chains GRUB's {@code BOOTX64.EFI} from
     * the boot server instead, and that GRUB boots the disk's {@code meshroot} filesystem. {@code exit} remains the
     * fallback when the chain fails.
     */
    public static String localDisk(String node, String efiGrubUrl) {
        return "#!ipxe\n"
                + "echo meshboot: " + safe(node) + " boots its local disk\n"
                + "iseq ${platform} efi && goto efi || goto bios\n"
                + ":bios\n"
                + "sanboot --no-describe --drive 0x80 || exit\n"
                + ":efi\n"
                + "chain --autofree " + safe(efiGrubUrl) + " || exit\n";
    }

    private static String safe(String value) {
        if (!SAFE.matcher(value).matches()) {
            throw new IllegalArgumentException("'" + value + "' has characters an iPXE script must not carry");
        }
        return value;
    }
}
