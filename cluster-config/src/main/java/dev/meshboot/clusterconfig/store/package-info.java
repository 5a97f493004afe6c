/**
 * The replicated store's rules, free of the network (docs/cluster.md): documents versioned by a hybrid logical
 * clock, last-writer-wins merge with deterministic tie-breaks, tombstones, the conflict log, anti-entropy digests,
 * state transfer and atomic persistence. The agent in {@code node} carries versions between members; everything
 * that decides what a member holds is here, so it can be tested without a network.
 */
package dev.meshboot.clusterconfig.store;
