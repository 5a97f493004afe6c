package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FetchPlannerTest {
    @Test
    void theRarestChunk_comesFirst_thenSnapshotOrder() {
        Map<String, Set<String>> holdings = Map.of("p1", Set.of("a", "b", "c"), "p2", Set.of("a", "c"));
        List<FetchPlanner.Fetch> f = new FetchPlanner(8, 8).next(List.of("a", "b", "c"), holdings, Map.of(), Set.of());
        assertEquals("b", f.getFirst().chunk(), "b has one holder");
        assertEquals(List.of("b", "a", "c"), f.stream().map(FetchPlanner.Fetch::chunk).toList());
    }

    @Test
    void requests_areSpreadAcrossPeers_andBoundedPerPeer() {
        Map<String, Set<String>> holdings = Map.of("p1", Set.of("a", "b", "c", "d", "e"), "p2", Set.of("a", "b", "c", "d", "e"));
        List<FetchPlanner.Fetch> f = new FetchPlanner(2, 8).next(List.of("a", "b", "c", "d", "e"), holdings, Map.of(),
                Set.of());
        assertEquals(4, f.size(), "two peers, two each");
        Map<String, Integer> perPeer = new HashMap<>();
        f.forEach(x -> perPeer.merge(x.peer(), 1, Integer::sum));
        assertEquals(Map.of("p1", 2, "p2", 2), perPeer);
    }

    @Test
    void inFlightChunks_areNotAskedTwice_andCountAgainstTheLimits() {
        Map<String, Set<String>> holdings = Map.of("p1", Set.of("a", "b", "c"));
        List<FetchPlanner.Fetch> f = new FetchPlanner(2, 8).next(List.of("a", "b", "c"), holdings,
                Map.of("a", List.of("p1")), Set.of());
        assertEquals(List.of(new FetchPlanner.Fetch("b", "p1")), f);
        assertEquals(List.of(), new FetchPlanner(4, 1).next(List.of("b"), holdings, Map.of("a", List.of("p1")),
                Set.of()));
    }

    @Test
    void anAvoidedPeer_isNeverAsked_evenWhenItAloneHoldsAChunk() {
        Map<String, Set<String>> holdings = Map.of("bad", Set.of("a", "b"), "good", Set.of("b"));
        List<FetchPlanner.Fetch> f = new FetchPlanner(4, 4).next(List.of("a", "b"), holdings, Map.of(), Set.of("bad"));
        assertEquals(List.of(new FetchPlanner.Fetch("b", "good")), f);
        assertTrue(f.stream().noneMatch(x -> x.peer().equals("bad")));
    }

    @Test
    void twoMembersStartingTogether_askTheOriginForDifferentChunks() {
        java.util.List<String> chunks = new java.util.ArrayList<>();
        for (int i = 0; i < 64; i++) {
            chunks.add("c" + i);
        }
        Map<String, Set<String>> origin = Map.of("origin", Set.copyOf(chunks));
        List<String> first = new FetchPlanner(4, 4, java.util.Optional.of("m1")).next(chunks, origin, Map.of(), Set.of())
                .stream().map(FetchPlanner.Fetch::chunk).toList();
        List<String> second = new FetchPlanner(4, 4, java.util.Optional.of("m2")).next(chunks, origin, Map.of(), Set.of())
                .stream().map(FetchPlanner.Fetch::chunk).toList();
        assertEquals(4, first.size());
        assertTrue(first.stream().noneMatch(second::contains), first + " and " + second + " overlap");
    }

    @Test
    void outsideTheEndgame_aChunkInFlight_isNeverAskedAgain_evenWithIdlePeers() {
        // Nine missing, two total slots free on idle peers: "a" in flight, others not yet asked: no duplicate.
        List<String> missing = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i");
        Map<String, Set<String>> holdings = Map.of("p1", Set.copyOf(missing), "p2", Set.copyOf(missing));
        List<FetchPlanner.Fetch> f = new FetchPlanner(4, 8).next(missing, holdings, Map.of("a", List.of("p1")),
                Set.of());
        assertEquals(7, f.size());
        assertTrue(f.stream().noneMatch(x -> x.chunk().equals("a")), f.toString());
    }

    @Test
    void inTheEndgame_aFreeSlotAsksAnotherHolderForTheOldestChunkInFlight_onceOnly() {
        Map<String, Set<String>> holdings = Map.of("slow", Set.of("a", "b"), "fast", Set.of("a", "b"),
                "other", Set.of("a", "b"));
        Map<String, List<String>> inFlight = new java.util.LinkedHashMap<>();
        inFlight.put("b", List.of("slow")); // asked first: the likeliest straggler
        inFlight.put("a", List.of("slow"));
        List<FetchPlanner.Fetch> f = new FetchPlanner(1, 8).next(List.of("a", "b"), holdings, inFlight, Set.of());
        // Each chunk gets a second holder, "b" first; never the peer already asked; "fast" before "other" by name.
        assertEquals(List.of(new FetchPlanner.Fetch("b", "fast"), new FetchPlanner.Fetch("a", "other")), f);

        inFlight.put("b", List.of("slow", "fast"));
        inFlight.put("a", List.of("slow", "other"));
        assertEquals(List.of(), new FetchPlanner(4, 8).next(List.of("a", "b"), holdings, inFlight, Set.of()),
                "two copies of a chunk at most");
    }

    @Test
    void theEndgame_waitsUntilEveryMissingChunkIsAsked() {
        Map<String, Set<String>> holdings = Map.of("p1", Set.of("a", "b", "c"), "p2", Set.of("a", "b", "c"));
        // "c" is not asked yet: it is planned, and "a" and "b" are not duplicated although a slot is free.
        Map<String, List<String>> inFlight = Map.of("a", List.of("p2"), "b", List.of("p2"));
        assertEquals(List.of(new FetchPlanner.Fetch("c", "p1")), new FetchPlanner(2, 8).next(List.of("a", "b", "c"),
                holdings, inFlight, Set.of()));
    }

    @Test
    void theEndgame_neverAsksAnAvoidedPeer() {
        Map<String, Set<String>> holdings = Map.of("p1", Set.of("a"), "bad", Set.of("a"));
        assertEquals(List.of(), new FetchPlanner(4, 8).next(List.of("a"), holdings, Map.of("a", List.of("p1")),
                Set.of("bad")));
    }
}
