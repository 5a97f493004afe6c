package dev.meshboot.clusterconfig.render;

import dev.meshboot.clusterconfig.Profile;
import java.util.List;

/**
 * What differs between OS families beyond the template texts: which built-in templates they get and how a service
 * is enabled. Enabling is a symlink, exactly what the family's own tool ({@code systemctl enable},
 * {@code rc-update add}) would leave on disk, so the snapshot needs no first-boot script.
 */
sealed interface OsFamilyLayout permits SystemdLayout, OpenRcLayout {
    /** A built-in template: its output path (also its resource name under {@code builtin/DIR/}) and mode. */
    record BuiltIn(String dir, String path, int mode) {}

    List<BuiltIn> templates();

    /** The symlinks that enable these services, plus any the family always needs. */
    List<RenderedFile> links(List<String> services);

    static OsFamilyLayout of(Profile.OsFamily family) {
        return switch (family) {
            // Debian enables neither networkd nor resolved by default; the rendered .network needs networkd.
            case DEBIAN -> new SystemdLayout(List.of(new BuiltIn("debian", "etc/systemd/network/10-meshboot.network", 0644)),
                    "/lib/systemd/system", List.of("systemd-networkd"));
            // RHEL runs NetworkManager already; it refuses a keyfile readable by others, hence 0600.
            case RHEL -> new SystemdLayout(List.of(new BuiltIn("rhel",
                    "etc/NetworkManager/system-connections/meshboot.nmconnection", 0600)), "/usr/lib/systemd/system",
                    List.of());
            case GENTOO -> new OpenRcLayout();
        };
    }

    /** The files every family gets. */
    List<BuiltIn> COMMON = List.of(new BuiltIn("common", "etc/hostname", 0644), new BuiltIn("common", "etc/hosts", 0644));
}
