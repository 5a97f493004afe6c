package dev.meshboot.clusterconfig;

import java.util.List;
import java.util.Optional;

/**
 * One machine: how it is recognised (its MAC), what it is called, its address on a network, what it runs (a
 * profile), which snapshot it follows (a channel, or a pinned snapshot id, which wins: a machine held back on a
 * known snapshot while its channel moves on), and how it is installed (the profile's mode unless overridden).
 *
 * <p>{@code reinstall} is a generation: raising it asks a disk-installed node to reinstall at its next boot, once.
 * The boot server compares it with the generation the node reported after its last install.
 */
public record Node(String name, Mac mac, String hostname, String network, Ipv4 address, String profile,
        String channel, Optional<Profile.InstallMode> install, int reinstall, Hooks hooks, Optional<String> snapshot) {

    /** Following its channel (no pinned snapshot). */
    public Node(String name, Mac mac, String hostname, String network, Ipv4 address, String profile, String channel,
            Optional<Profile.InstallMode> install, int reinstall, Hooks hooks) {
        this(name, mac, hostname, network, address, profile, channel, install, reinstall, hooks, Optional.empty());
    }

    public Node(String name, Mac mac, String hostname, String network, Ipv4 address, String profile, String channel,
            Optional<Profile.InstallMode> install, int reinstall) {
        this(name, mac, hostname, network, address, profile, channel, install, reinstall, Hooks.NONE);
    }

    public Node(String name, Mac mac, String hostname, String network, Ipv4 address, String profile, String channel,
            Optional<Profile.InstallMode> install) {
        this(name, mac, hostname, network, address, profile, channel, install, 0, Hooks.NONE);
    }

    /**
     * Commands the rollout runs for this node (each an argument list, run without a shell, with MESHBOOT_NODE set):
     * drain it before its reboot (take it out of the scheduler, wait for its jobs), undrain it after it is back and
     * healthy, and power-cycle it when its agent does not answer a reboot request.
     */
    public record Hooks(List<String> drain, List<String> undrain, List<String> power) {
        public static final Hooks NONE = new Hooks(List.of(), List.of(), List.of());

        public Hooks {
            drain = List.copyOf(drain);
            undrain = List.copyOf(undrain);
            power = List.copyOf(power);
        }
    }
}
