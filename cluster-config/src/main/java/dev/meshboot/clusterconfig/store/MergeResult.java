package dev.meshboot.clusterconfig.store;

import java.util.List;

/**
 * What applying remote versions did.
 *
 * @param changed the versions this member now keeps that it did not before (in the order applied)
 * @param conflicts the concurrent writes that lost, each with both versions
 * @param aheadOfClock versions stamped more than {@link ReplicatedStore#MAX_CLOCK_SKEW} ahead of this member's wall
 *     clock: accepted (replication must converge) but worth a warning, since the sender's clock is probably wrong
 */
public record MergeResult(List<VersionedDocument> changed, List<Conflict> conflicts,
        List<VersionedDocument> aheadOfClock) {
    public MergeResult {
        changed = List.copyOf(changed);
        conflicts = List.copyOf(conflicts);
        aheadOfClock = List.copyOf(aheadOfClock);
    }
}
