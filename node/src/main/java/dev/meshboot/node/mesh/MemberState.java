package dev.meshboot.node.mesh;

import java.util.Optional;
import java.util.Set;

/**
 * What a member advertises to the others, and all the election reads: whether it runs boot services, whether it is
 * healthy, which snapshots it holds complete and verified, whether it is an active boot server now, and the pool
 * slot it holds, if any.
 *
 * @param slot the dynamic-pool slot (0..K-1) it hands addresses from; empty when it holds none
 */
public record MemberState(String member, boolean bootServices, boolean healthy, Set<String> snapshots,
        boolean active, Optional<Integer> slot) {
    public MemberState {
        snapshots = Set.copyOf(snapshots);
    }

    /** Eligible to serve: boot services on, healthy, and holding every snapshot the fleet boots. */
    public boolean eligible(Set<String> bootSnapshots) {
        return bootServices && healthy && snapshots.containsAll(bootSnapshots);
    }
}
