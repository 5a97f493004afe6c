/**
 * The agent's one JGroups channel and what runs over it today: replication of the config store.
 *
 * <ul>
 *   <li>{@link dev.meshboot.node.cluster.ClusterChannel}: joins the cluster (only with the cluster secret), tells
 *       subscribers about membership, and multiplexes messages by a one-byte {@link
 *       dev.meshboot.node.cluster.MessageKind} so membership, roles and snapshot replication can share it;
 *   <li>{@link dev.meshboot.node.cluster.ChannelStack}: the protocol stack, with why each protocol and timeout;
 *   <li>{@link dev.meshboot.node.cluster.StoreReplicator}: broadcasts local writes, merges remote ones, and runs
 *       anti-entropy on every view change (docs/cluster.md).
 * </ul>
 *
 * JGroups types stay inside this package: the rest of the agent sees {@link dev.meshboot.node.cluster.Member} and
 * {@link dev.meshboot.node.cluster.Membership}.
 */
package dev.meshboot.node.cluster;
