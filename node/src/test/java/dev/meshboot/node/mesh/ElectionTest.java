package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ElectionTest {
    private static final Set<String> SNAP = Set.of("s1");
    private static final Duration GRACE = Duration.ofSeconds(30);

    private static MemberState ready(String m) {
        return new MemberState(m, true, true, SNAP, false, Optional.empty());
    }

    private static MemberState holding(String m, int slot) {
        return new MemberState(m, true, true, SNAP, true, Optional.of(slot));
    }

    private static Map<String, MemberState> states(MemberState... s) {
        Map<String, MemberState> m = new HashMap<>();
        for (MemberState x : s) {
            m.put(x.member(), x);
        }
        return m;
    }

    @Test
    void placesGoToEligibleMembers_seniorFirst_andTheIneligibleGetNone() {
        MemberState noSnapshot = new MemberState("b", true, true, Set.of(), false, Optional.empty());
        MemberState unhealthy = new MemberState("c", true, false, SNAP, false, Optional.empty());
        MemberState servicesOff = new MemberState("d", false, true, SNAP, false, Optional.empty());
        Election.Result r = Election.elect(List.of("a", "b", "c", "d", "e"),
                states(ready("a"), noSnapshot, unhealthy, servicesOff, ready("e")), 2, SNAP, 5, List.of(), GRACE);
        assertEquals(List.of("a", "e"), r.active());
        assertEquals(Map.of(0, "a", 1, "e"), r.slots());
        assertTrue(r.quorum());
    }

    @Test
    void aHealthyActiveServer_staysActive_withItsSlot_whenASeniorMemberJoins() {
        Election.Result r = Election.elect(List.of("old", "x", "y"), states(ready("old"), holding("x", 1), holding("y", 0)),
                2, SNAP, 3, List.of(), GRACE);
        assertEquals(List.of("x", "y"), r.active());
        assertEquals(Map.of(0, "y", 1, "x"), r.slots());
    }

    @Test
    void anActiveServerThatTurnsUnhealthy_losesItsPlace() {
        MemberState sick = new MemberState("x", true, false, SNAP, true, Optional.of(0));
        Election.Result r = Election.elect(List.of("x", "y", "z"), states(sick, ready("y"), ready("z")), 1, SNAP, 3,
                List.of(), GRACE);
        assertEquals(List.of("y"), r.active());
        assertEquals(Map.of(0, "y"), r.slots());
    }

    @Test
    void afterAMerge_KPlusActives_theSeniorStay_andTwoClaimantsOfOneSlot_theSeniorKeepsIt() {
        Election.Result r = Election.elect(List.of("a", "b", "c", "d"),
                states(holding("a", 0), holding("b", 1), holding("c", 0), holding("d", 1)), 2, SNAP, 4, List.of(), GRACE);
        assertEquals(List.of("a", "b"), r.active());
        assertEquals(Map.of(0, "a", 1, "b"), r.slots());
    }

    @Test
    void aMinoritySide_stillElectsActiveServersForKnownMachines_butGivesNoSlotAndNoPoolAddresses() {
        // 5 members, partition 2|3; the old active servers a and b are on the majority side.
        Election.Result minority = Election.elect(List.of("d", "e"), states(ready("d"), ready("e")), 2, SNAP, 5,
                List.of(new Election.AbsentHolder(0, "a", Duration.ofMinutes(5))), GRACE);
        assertEquals(List.of("d", "e"), minority.active());
        assertEquals(Map.of(), minority.slots());
        assertFalse(minority.quorum());
        assertEquals(Optional.empty(), minority.dynamicSlot("d"));
    }

    @Test
    void aMajoritySide_givesAnAbsentHoldersSlot_toAnother_onlyAfterTheGrace() {
        Election.Result early = Election.elect(List.of("b", "c", "d"), states(holding("b", 1), ready("c"), ready("d")),
                2, SNAP, 5, List.of(new Election.AbsentHolder(0, "a", Duration.ofSeconds(5))), GRACE);
        assertEquals(List.of("b", "c"), early.active());
        assertEquals(Map.of(1, "b"), early.slots(), "slot 0 is still a's during the grace");
        Election.Result later = Election.elect(List.of("b", "c", "d"), states(holding("b", 1), ready("c"), ready("d")),
                2, SNAP, 5, List.of(new Election.AbsentHolder(0, "a", Duration.ofSeconds(31))), GRACE);
        assertEquals(Map.of(0, "c", 1, "b"), later.slots());
        assertEquals(Optional.of(0), later.dynamicSlot("c"));
    }

    @Test
    void theSurvivorOfFive_becomesActive_forKnownMachines() {
        Election.Result r = Election.elect(List.of("e"), states(ready("e")), 2, SNAP, 5,
                List.of(new Election.AbsentHolder(0, "a", Duration.ofSeconds(1))), GRACE);
        assertEquals(List.of("e"), r.active());
        assertFalse(r.quorum());
    }

    /** Every member computes the same result from the same inputs, whatever order it holds the states in. */
    @Property(seed = "42", tries = 200)
    void theResult_isAFunctionOfTheInputs_andNoMemberHoldsTwoSlots(@ForAll @IntRange(min = 1, max = 8) int n,
            @ForAll @IntRange(min = 1, max = 4) int k, @ForAll long salt) {
        java.util.Random rnd = new java.util.Random(salt);
        List<String> view = new java.util.ArrayList<>();
        Map<String, MemberState> s = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String m = "m" + i;
            view.add(m);
            Optional<Integer> slot = rnd.nextBoolean() ? Optional.of(rnd.nextInt(k + 1)) : Optional.empty();
            s.put(m, new MemberState(m, rnd.nextInt(5) > 0, rnd.nextInt(5) > 0, rnd.nextBoolean() ? SNAP : Set.of(),
                    rnd.nextBoolean(), slot));
        }
        Election.Result a = Election.elect(view, s, k, SNAP, n, List.of(), GRACE);
        Election.Result b = Election.elect(view, new java.util.TreeMap<>(s), k, SNAP, n, List.of(), GRACE);
        assertEquals(a, b);
        assertEquals(a.slots().size(), Set.copyOf(a.slots().values()).size(), "a member holds two slots");
        a.slots().forEach((slot, m) -> assertTrue(slot < k && a.isActive(m)));
        a.active().forEach(m -> assertTrue(s.get(m).eligible(SNAP)));
        long eligible = s.values().stream().filter(x -> x.eligible(SNAP)).count();
        assertEquals(Math.min(k, eligible), a.active().size());
        assertEquals(a.active().size(), a.slots().size(), "with a quorum and nothing absent, every active has a slot");
    }
}
