package dev.meshboot.node.mesh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Chooses the K active boot servers and who hands out which part of the dynamic pools: a pure function of the view
 * and the members' advertised states, computed by every member on every view change, so all members of a view agree
 * with no vote taken (DESIGN.md, "Election").
 *
 * <p><b>Active servers</b> answer DHCP/proxyDHCP and TFTP. Every active server answers a known machine identically
 * (from the replicated documents), so any number of them, on any side of a partition, is safe:
 * <ol>
 *   <li>an active member that is still eligible stays active (sticky), senior first, up to K;
 *   <li>the remaining places go to eligible members, senior (earlier in the view) first.
 * </ol>
 *
 * <p><b>Pool slots</b> 0..K-1: slot {@code s} hands out the {@code s}-th of K disjoint ranges of each dynamic pool
 * ({@link PoolShare}). Two servers handing out one range could give one address twice, so:
 * <ol>
 *   <li>an active member keeps the slot it holds; if two claim one slot (two sides of a healed partition) the
 *       senior keeps it;
 *   <li>only a view with a <em>quorum</em> (more than half of the members the cluster has when whole) gives out a
 *       slot, and it gives out the slot of a holder absent from the view only after {@code grace};
 *   <li>dynamic addresses are handed out only in a quorum view ({@link Result#quorum}).
 * </ol>
 * With the grace longer than failure detection, a minority side has stopped handing out pool addresses before the
 * majority takes over its slots, so no address is handed out twice, even across a partition. Known machines are
 * answered on both sides all along.
 */
public final class Election {
    /** The outcome: the active servers in seniority order, who holds which pool slot, and the quorum. */
    public record Result(List<String> active, Map<Integer, String> slots, boolean quorum) {
        public Result {
            active = List.copyOf(active);
            slots = Map.copyOf(new TreeMap<>(slots));
        }

        public Optional<Integer> slotOf(String member) {
            return slots.entrySet().stream().filter(e -> e.getValue().equals(member)).map(Map.Entry::getKey).findFirst();
        }

        public boolean isActive(String member) {
            return active.contains(member);
        }

        /** Whether {@code member} may hand out addresses from the dynamic pool now, and from which slot. */
        public Optional<Integer> dynamicSlot(String member) {
            return quorum ? slotOf(member) : Optional.empty();
        }
    }

    /**
     * A pool slot held by a member that is not in the view, as the replicated store last recorded it.
     *
     * @param absentFor how long its holder has been out of this member's view
     */
    public record AbsentHolder(int slot, String member, Duration absentFor) {}

    private Election() {}

    /**
     * @param view the members in view order (JGroups: oldest first), the same on every member of the view
     * @param states each member's advertised state (a member with no state yet is not eligible)
     * @param k how many active boot servers the cluster wants
     * @param bootSnapshots the snapshots the fleet boots; an eligible server holds them all
     * @param expectedMembers how many members the cluster has when whole (for the quorum)
     * @param absent slots recorded as held by members outside the view
     * @param grace how long a slot's absent holder keeps it before a quorum may give it to another
     */
    public static Result elect(List<String> view, Map<String, MemberState> states, int k, Set<String> bootSnapshots,
            int expectedMembers, List<AbsentHolder> absent, Duration grace) {
        boolean quorum = view.size() * 2 > expectedMembers;
        List<String> eligible = new ArrayList<>();
        for (String m : view) {
            MemberState s = states.get(m);
            if (s != null && s.eligible(bootSnapshots)) {
                eligible.add(m);
            }
        }
        List<String> active = new ArrayList<>();
        for (String m : eligible) {
            if (states.get(m).active() && active.size() < k) {
                active.add(m);
            }
        }
        for (String m : eligible) {
            if (!active.contains(m) && active.size() < k) {
                active.add(m);
            }
        }
        active.sort(java.util.Comparator.comparingInt(view::indexOf));

        Map<Integer, String> slots = new TreeMap<>();
        for (String m : active) { // seniority order: the senior claimant of a slot keeps it
            Optional<Integer> slot = states.get(m).slot();
            if (slot.isPresent() && slot.get() >= 0 && slot.get() < k && !slots.containsKey(slot.get())) {
                slots.put(slot.get(), m);
            }
        }
        if (quorum) {
            Set<Integer> reserved = new HashSet<>();
            for (AbsentHolder a : absent) {
                if (!view.contains(a.member()) && a.absentFor().compareTo(grace) <= 0) {
                    reserved.add(a.slot());
                }
            }
            for (String m : active) {
                if (slots.containsValue(m)) {
                    continue;
                }
                for (int slot = 0; slot < k; slot++) {
                    if (!slots.containsKey(slot) && !reserved.contains(slot)) {
                        slots.put(slot, m);
                        break;
                    }
                }
            }
        }
        return new Result(active, slots, quorum);
    }
}
