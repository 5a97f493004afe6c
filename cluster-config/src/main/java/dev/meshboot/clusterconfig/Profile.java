package dev.meshboot.clusterconfig;

import java.util.List;

/**
 * What a class of node runs: its OS family (which templates render its config), whether it is installed into RAM
 * or onto its disk, whether it gets the extras archive, and which services start.
 */
public record Profile(String name, OsFamily os, InstallMode install, boolean extras, List<String> services) {
    public Profile {
        services = List.copyOf(services);
    }

    /** The OS families whose config files meshboot can render. */
    public enum OsFamily { DEBIAN, GENTOO, RHEL }

    /** Where a node's snapshot goes: a tmpfs, rebuilt every boot, or its local disk with a bootloader. */
    public enum InstallMode { RAM, DISK }
}
