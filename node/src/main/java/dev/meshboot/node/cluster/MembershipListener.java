package dev.meshboot.node.cluster;

/**
 * Told of every view this member installs, in order, on the channel's view thread: keep it short (hand work to an
 * executor) or the next view waits.
 */
@FunctionalInterface
public interface MembershipListener {
    void viewChanged(Membership membership);
}
