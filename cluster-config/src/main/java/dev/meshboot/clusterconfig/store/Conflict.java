package dev.meshboot.clusterconfig.store;

import java.time.Instant;

/**
 * A write that lost without its writer having seen the winner: two members changed (or deleted) the same document
 * concurrently, typically on both sides of a partition. Both versions are kept here so an operator can re-apply the
 * loser if it was the one they wanted.
 *
 * @param reason why the winner won, in words (docs/cluster.md lists them)
 * @param detectedAt when this member resolved it, by its clock
 */
public record Conflict(DocumentKey key, VersionedDocument winner, VersionedDocument loser, String reason,
        Instant detectedAt) {}
