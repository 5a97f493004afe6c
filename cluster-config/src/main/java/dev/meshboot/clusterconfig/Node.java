package dev.meshboot.clusterconfig;

import java.util.Optional;

/**
 * One machine: how it is recognised (its MAC), what it is called, its address on a network, what it runs (a
 * profile), which snapshot it follows (a channel), and how it is installed (the profile's mode unless overridden).
 *
 * <p>{@code reinstall} is a generation: raising it asks a disk-installed node to reinstall at its next boot, once.
 * The boot server compares it with the generation the node reported after its last install.
 */
public record Node(String name, Mac mac, String hostname, String network, Ipv4 address, String profile,
        String channel, Optional<Profile.InstallMode> install, int reinstall) {

    public Node(String name, Mac mac, String hostname, String network, Ipv4 address, String profile, String channel,
            Optional<Profile.InstallMode> install) {
        this(name, mac, hostname, network, address, profile, channel, install, 0);
    }
}
