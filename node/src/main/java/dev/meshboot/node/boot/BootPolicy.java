package dev.meshboot.node.boot;

import java.util.Optional;

/**
 * The one question the boot servers ask: what does this machine get? Servers decide nothing themselves; they
 * encode what the policy answers. Empty means "not ours to answer" (an unknown machine with no pool, say), and
 * the server stays silent so another server may answer.
 */
public interface BootPolicy {
    Optional<BootAnswer> answer(BootRequest request);

    /** The server acked this lease (RFC 2131 DHCPACK): a dynamic address becomes a lease. */
    default void acknowledged(BootRequest request, BootAnswer.Lease lease) {}

    /** The client released its address (DHCPRELEASE). */
    default void released(BootRequest request) {}

    /** The client found {@code address} in use (DHCPDECLINE). */
    default void declined(BootRequest request, dev.meshboot.clusterconfig.Ipv4 address) {}
}
