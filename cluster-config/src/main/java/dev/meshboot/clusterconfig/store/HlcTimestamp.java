package dev.meshboot.clusterconfig.store;

import java.util.Comparator;
import java.util.regex.Pattern;

/**
 * A hybrid logical clock reading: wall-clock milliseconds, a logical counter that orders events within (or, after
 * the clock stepped back, beyond) one millisecond, and the member that issued it. Ordered by millis, then counter,
 * then member id, so two members never issue equal timestamps and the order is total.
 */
public record HlcTimestamp(long millis, int logical, String member) implements Comparable<HlcTimestamp> {
    private static final Pattern MEMBER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}");
    private static final Comparator<HlcTimestamp> ORDER = Comparator.comparingLong(HlcTimestamp::millis)
            .thenComparingInt(HlcTimestamp::logical).thenComparing(HlcTimestamp::member);

    public HlcTimestamp {
        if (millis < 0 || logical < 0) {
            throw new IllegalArgumentException("a timestamp is not negative: " + millis + "." + logical);
        }
        checkMember(member);
    }

    static String checkMember(String member) {
        if (member == null || !MEMBER.matcher(member).matches()) {
            throw new IllegalArgumentException("a member id is 1-64 letters, digits or ._:@- : " + member);
        }
        return member;
    }

    /** True when both were taken at the same clock reading (millis and counter), whoever took them. */
    public boolean sameClock(HlcTimestamp other) {
        return millis == other.millis && logical == other.logical;
    }

    @Override
    public int compareTo(HlcTimestamp o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return millis + "." + logical + "@" + member;
    }
}
