package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.node.cluster.ChannelSettings;
import dev.meshboot.node.cluster.ClusterChannel;
import dev.meshboot.node.cluster.ClusterSecret;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The election running live on real JGroups channels (in-process, loopback transport): every member agrees on the
 * active boot servers; a member lacking the boot snapshot is never chosen; when the active one leaves, another takes
 * over, and the time that takes is printed.
 */
@Timeout(90)
class BootRolesIT {
    private static final ClusterSecret SECRET = ClusterSecret.of("boot roles test secret, 32+ bytes long".getBytes(
            StandardCharsets.UTF_8));
    private static final String SNAP = "ab".repeat(32);

    private final List<ClusterChannel> channels = new ArrayList<>();
    private final List<BootRoles> roles = new ArrayList<>();
    private final Map<String, Boolean> active = new ConcurrentHashMap<>();
    /** Every pool slot each member was ever told it holds, in order. */
    private final Map<String, List<Integer>> slotsHeld = new ConcurrentHashMap<>();

    @AfterEach
    void stop() {
        roles.forEach(BootRoles::close);
        channels.forEach(ClusterChannel::close);
    }

    private BootRoles member(String cluster, String name, Set<String> held, int k) throws Exception {
        ClusterChannel ch = ClusterChannel.create(ChannelSettings.loopback(cluster, name), SECRET);
        channels.add(ch);
        BootRoles r = new BootRoles(ch, name, "http://" + name + ":8080",
                () -> new BootRoles.Local(true, true, held), () -> k, () -> Set.of(SNAP), Duration.ofSeconds(30),
                Clock.systemUTC(), (result, self) -> {
                    active.put(name, self);
                    result.slotOf(name).ifPresent(slot -> slotsHeld.computeIfAbsent(name,
                            x -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(slot));
                });
        r.start(Duration.ofMillis(500));
        ch.connect();
        roles.add(r);
        return r;
    }

    private static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void allMembersAgree_theIneligibleIsNeverChosen_andASurvivorTakesOverWhenTheActiveOneLeaves() throws Exception {
        String cluster = "roles-" + System.nanoTime();
        BootRoles a = member(cluster, "a", Set.of(SNAP), 1);
        BootRoles b = member(cluster, "b", Set.of(), 1); // lacks the boot snapshot
        BootRoles c = member(cluster, "c", Set.of(SNAP), 1);
        await("all three agree on one active server", () -> roles.stream().allMatch(r -> r.current().active().size() == 1
                && r.current().active().equals(a.current().active()) && r.httpOfMembersInView().size() == 3));
        assertEquals(List.of("a"), a.current().active(), "the senior eligible member");
        assertFalse(b.current().isActive("b"));
        assertEquals(Set.of(SNAP), c.snapshotsOfMembersInView().get("a"));
        await("a knows it is active", () -> Boolean.TRUE.equals(active.get("a")));

        long t0 = System.nanoTime();
        roles.remove(a);
        a.close();
        channels.getFirst().close(); // a leaves (a crash is the process tests' business)
        await("c takes over", () -> Boolean.TRUE.equals(active.get("c")));
        System.out.printf("FIGURE takeover after the active member left: %.2f s%n", (System.nanoTime() - t0) / 1e9);
        assertEquals(List.of("c"), b.current().active(), "b agrees, and is still not eligible");
        assertTrue(c.current().isActive("c"));
    }

    /**
     * A member that joins a cluster whose boot servers are elected already never takes a role or a pool slot before
     * it has heard the others' adverts: before it would have elected itself from its own advert alone, for an advert
     * interval, and held slot 0 beside its holder (a pool address leased twice).
     */
    @Test
    void aJoiner_takesNoRoleAndNoSlot_beforeItHasHeardTheOthers() throws Exception {
        String cluster = "joiner-" + System.nanoTime();
        BootRoles a = member(cluster, "a", Set.of(SNAP), 1);
        await("a active with slot 0", () -> a.current().isActive("a") && a.current().slotOf("a").equals(
                java.util.Optional.of(0)));
        BootRoles b = member(cluster, "b", Set.of(SNAP), 1);
        await("b has heard a", () -> b.httpOfMembersInView().size() == 2 && b.current().active().equals(List.of("a")));
        Thread.sleep(1_500); // three advert intervals: any wrong result would have been delivered by now
        assertFalse(Boolean.TRUE.equals(active.get("b")), "the joiner made itself a boot server");
        assertTrue(slotsHeld.getOrDefault("b", List.of()).isEmpty(), "the joiner took slot(s) " + slotsHeld.get("b"));
        assertEquals(List.of(0), slotsHeld.get("a"), "a's slot changed hands");
    }
}
