package dev.meshboot.node.cluster;

import java.util.Optional;

/**
 * The first byte of every message on the channel: which subsystem it is for. One channel carries the store's
 * replication now and membership, roles and snapshot replication later; each registers a handler for its kinds
 * ({@link ClusterChannel#register}). A kind this build does not know is logged and dropped, so a newer member can
 * add kinds without breaking older ones.
 *
 * <p>Codes are part of the wire format: never renumber; add new kinds at unused codes. 1-15 are the store's;
 * 16-31 are reserved for membership and roles, 32-47 for snapshots and chunks.
 */
public enum MessageKind {
    /** Versions written or learned: applied by every receiver (multicast). */
    STORE_VERSIONS(1),
    /** Anti-entropy, step 1: the initiator's digest (unicast). */
    STORE_DIGEST(2),
    /** Anti-entropy, step 2 and 3: the buckets that differ and the sender's summaries of them (unicast). */
    STORE_SUMMARIES(3),
    /** Anti-entropy, the versions the receiver lacks (unicast); the receiver relays what changed its store. */
    STORE_PUSH(4),
    /** A member's advertised state (boot services, health, snapshots held, role): the election's input (multicast). */
    MEMBER_STATE(16);

    private final int code;

    MessageKind(int code) {
        this.code = code;
    }

    public byte code() {
        return (byte) code;
    }

    public static Optional<MessageKind> of(byte code) {
        for (MessageKind k : values()) {
            if (k.code == (code & 0xff)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
