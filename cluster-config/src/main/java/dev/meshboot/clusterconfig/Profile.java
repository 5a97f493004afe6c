package dev.meshboot.clusterconfig;

import java.util.List;
import java.util.Optional;

/**
 * What a class of node runs: its OS family (which templates render its config), whether it is installed into RAM
 * or onto its disk, whether it gets the extras archive, and which services start.
 *
 * <p>A profile may name a {@code parent}; every field it leaves out is the parent's (see {@code ConfigLoader}). The
 * record holds the resolved values, so no user of a profile has to walk the chain; {@code parent} is kept only to
 * show where the values came from.
 */
public record Profile(String name, OsFamily os, InstallMode install, boolean extras, List<String> services, Disk disk,
        Optional<String> parent) {
    public Profile {
        services = List.copyOf(services);
    }

    public Profile(String name, OsFamily os, InstallMode install, boolean extras, List<String> services, Disk disk) {
        this(name, os, install, extras, services, disk, Optional.empty());
    }

    public Profile(String name, OsFamily os, InstallMode install, boolean extras, List<String> services) {
        this(name, os, install, extras, services, Disk.DEFAULTS);
    }

    /**
     * Where a disk install goes (docs/boot-flow.md has the layout): the disk (the first one found when empty), the
     * root partition's size, and the mount point of a partition that takes the rest of the disk and is never
     * formatted by a reinstall (empty: no such partition).
     */
    public record Disk(Optional<String> device, long rootMiB, Optional<String> persistent) {
        public static final long DEFAULT_ROOT_MIB = 8192;
        public static final Disk DEFAULTS = new Disk(Optional.empty(), DEFAULT_ROOT_MIB, Optional.empty());
    }

    /** The OS families whose config files meshboot can render. */
    public enum OsFamily { DEBIAN, GENTOO, RHEL }

    /** Where a node's snapshot goes: a tmpfs, rebuilt every boot, or its local disk with a bootloader. */
    public enum InstallMode { RAM, DISK }
}
