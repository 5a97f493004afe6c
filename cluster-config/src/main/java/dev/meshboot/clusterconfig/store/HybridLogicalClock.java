package dev.meshboot.clusterconfig.store;

import java.time.Clock;

/**
 * A hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", 2014). Its readings stay close to wall time,
 * so an operator can read them, yet never go backwards and always order a write after every version the member has
 * seen: a change made after seeing a version beats it even when the writer's wall clock is behind.
 *
 * <p>Send ({@link #tick}) and receive ({@link #receive}) follow the paper. One deviation: the counter is an int, and
 * when it would overflow the clock moves one millisecond ahead of wall time instead, so it stays monotonic.
 */
public final class HybridLogicalClock {
    private final Clock clock;
    private final String member;
    private long millis;
    private int logical;

    public HybridLogicalClock(Clock clock, String member) {
        this.clock = clock;
        this.member = HlcTimestamp.checkMember(member);
    }

    public String member() {
        return member;
    }

    /** A reading for a local event (a write): later than every reading this clock gave or received before. */
    public synchronized HlcTimestamp tick() {
        long physical = clock.millis();
        if (physical > millis) {
            millis = physical;
            logical = 0;
        } else {
            advanceLogical(logical);
        }
        return current();
    }

    /**
     * Takes in a timestamp from another member (or from disk at restart), so every later {@link #tick} is after it.
     * A timestamp from the future (the sender's clock is ahead) pulls this clock forward with it: ordering writes
     * after what a member has seen matters more than staying at wall time. {@link ReplicatedStore} reports such
     * timestamps so the operator can fix the sender's clock.
     */
    public synchronized HlcTimestamp receive(HlcTimestamp remote) {
        long physical = clock.millis();
        long next = Math.max(Math.max(millis, remote.millis()), physical);
        if (next == millis && next == remote.millis()) {
            advanceLogical(Math.max(logical, remote.logical()));
        } else if (next == millis) {
            advanceLogical(logical);
        } else if (next == remote.millis()) {
            millis = next;
            advanceLogical(remote.logical());
        } else {
            millis = next;
            logical = 0;
        }
        return current();
    }

    /** The last reading, without advancing. */
    public synchronized HlcTimestamp current() {
        return new HlcTimestamp(millis, logical, member);
    }

    /** The wall clock this HLC reads, for callers that compare versions with real time (tombstone age, skew). */
    public long physicalMillis() {
        return clock.millis();
    }

    private void advanceLogical(int from) {
        if (from == Integer.MAX_VALUE) {
            millis++;
            logical = 0;
        } else {
            logical = from + 1;
        }
    }
}
