package dev.meshboot.node.boot;

import java.util.Optional;

/**
 * The one question the boot servers ask: what does this machine get? Servers decide nothing themselves; they
 * encode what the policy answers. Empty means "not ours to answer" (an unknown machine with no pool, say), and
 * the server stays silent so another server may answer.
 */
public interface BootPolicy {
    Optional<BootAnswer> answer(BootRequest request);
}
