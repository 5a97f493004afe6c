package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.node.mesh.ChunkPipeline.Outcome;
import dev.meshboot.node.mesh.FetchPlanner.Fetch;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pipeline's books, driven by hand: events in, requests out, time a number the test moves. */
class ChunkPipelineTest {
    private static final long MS = 1_000_000L;
    private static final List<String> CHUNKS = List.of("a", "b", "c", "d", "e", "f");

    private static ChunkPipeline pipeline(FetchPlanner planner, Set<String> held, List<String> peers) {
        return new ChunkPipeline(planner, CHUNKS, held, peers, 1000 * MS, 250 * MS, 3000 * MS, 0);
    }

    @Test
    void aRequestThatEnds_freesItsSlot_andTheNextIsStartedAtOnce_whileTheOtherPeerStillHoldsItsSlot() {
        ChunkPipeline p = pipeline(new FetchPlanner(1, 8), Set.of(), List.of("fast", "slow"));
        assertEquals(List.of("fast", "slow"), p.holdingsDue(0));
        p.holdings("fast", Set.of("a", "b", "c"), 1);
        p.holdings("slow", Set.of("d", "e", "f"), 1);
        List<Fetch> first = p.plan(1);
        assertEquals(2, first.size(), first.toString());
        Fetch fromFast = first.stream().filter(f -> f.peer().equals("fast")).findFirst().orElseThrow();

        assertTrue(p.ended(fromFast, Outcome.STORED, 2).counts());
        List<Fetch> next = p.plan(2);
        assertEquals(1, next.size(), "the fast peer's slot, refilled without waiting for the slow one");
        assertEquals("fast", next.getFirst().peer());
        assertEquals(5, p.missing());
    }

    @Test
    void theFirstPlan_waitsForEveryPeersHoldings_butNotLongerThanASecond() {
        ChunkPipeline p = pipeline(new FetchPlanner(4, 8), Set.of(), List.of("a1", "a2"));
        p.holdingsDue(0);
        p.holdings("a1", Set.copyOf(CHUNKS), 10 * MS);
        assertEquals(List.of(), p.plan(10 * MS), "a2 has not answered yet");
        assertTrue(p.wakeAt(10 * MS) <= ChunkPipeline.FIRST_ANSWERS_NANOS, "woken by the time the wait is over");
        assertEquals(4, p.plan(ChunkPipeline.FIRST_ANSWERS_NANOS).size());
    }

    @Test
    void holdings_areAskedAgainEverySecond_orEveryQuarterSecondForAPeerWithNothingInFlight() {
        ChunkPipeline p = pipeline(new FetchPlanner(1, 8), Set.of(), List.of("busy", "idle"));
        p.holdingsDue(0);
        p.holdings("busy", Set.of("a"), 0);
        p.holdings("idle", Set.of(), 0);
        assertEquals(1, p.plan(0).size());
        assertEquals(List.of(), p.holdingsDue(249 * MS), "nobody is due yet");
        assertEquals(List.of("idle"), p.holdingsDue(250 * MS));
        assertEquals(List.of(), p.holdingsDue(999 * MS), "idle is asked already; busy is due at 1 s");
        assertEquals(List.of("busy"), p.holdingsDue(1000 * MS));
    }

    @Test
    void aFailedRequest_isNotRepeatedToThatPeer_untilItClaimsTheChunkAgain() {
        ChunkPipeline p = pipeline(new FetchPlanner(4, 8), Set.of("b", "c", "d", "e", "f"), List.of("p"));
        p.holdingsDue(0);
        p.holdings("p", Set.of("a"), 0);
        Fetch f = p.plan(0).getFirst();
        assertFalse(p.ended(f, Outcome.FAILED, 1).counts());
        assertEquals(List.of(), p.plan(1), "not hammered");
        p.holdingsDue(300 * MS);
        p.holdings("p", Set.of("a"), 300 * MS);
        assertEquals(List.of(f), p.plan(300 * MS));
    }

    @Test
    void aBadChunk_makesItsPeerAvoided_andTheChunkComesFromAnother() {
        ChunkPipeline p = pipeline(new FetchPlanner(1, 1), Set.of("b", "c", "d", "e", "f"), List.of("bad", "good"));
        p.holdingsDue(0);
        p.holdings("bad", Set.of("a"), 0);
        p.holdings("good", Set.of("a"), 0);
        Fetch f = p.plan(0).getFirst();
        assertEquals(new Fetch("a", "bad"), f, "first by name");
        p.ended(f, Outcome.BAD, 1);
        assertEquals(Set.of("bad"), p.avoided());
        assertEquals(List.of(new Fetch("a", "good")), p.plan(1));
        assertFalse(p.holdingsDue(10_000 * MS).contains("bad"), "an avoided peer is not even asked");
        p.holdings("bad", Set.of("a"), 10_000 * MS); // an answer that was on its way
        assertTrue(p.wakeAt(10_000 * MS) > 10_000 * MS, "nothing about it is due: the run would spin");
    }

    @Test
    void inTheEndgame_theFirstCopyCounts_theOtherIsCancelled_andItsLateEndChangesNothing() {
        ChunkPipeline p = pipeline(new FetchPlanner(1, 8), Set.of("b", "c", "d", "e", "f"), List.of("slow", "fast"));
        p.holdingsDue(0);
        p.holdings("slow", Set.of("a"), 0);
        p.holdings("fast", Set.of("a"), 0);
        Fetch first = p.plan(0).getFirst();
        List<Fetch> copy = p.plan(1);
        assertEquals(1, copy.size(), "the last chunk, asked of the other holder too");
        assertEquals("a", copy.getFirst().chunk());
        assertTrue(!copy.getFirst().peer().equals(first.peer()));

        ChunkPipeline.Settled won = p.ended(copy.getFirst(), Outcome.STORED, 2);
        assertTrue(won.counts());
        assertEquals(List.of(first), won.cancel());
        assertTrue(p.complete());
        assertFalse(p.ended(first, Outcome.STORED, 3).counts(), "the loser, had it finished anyway");
        assertFalse(p.ended(first, Outcome.CANCELLED, 3).counts());
    }

    @Test
    void withNothingInFlightAndNothingHeld_theRunStalls_afterTheStallTime_notBefore() {
        ChunkPipeline p = pipeline(new FetchPlanner(4, 8), Set.of("a", "b", "c", "d"), List.of("p"));
        p.holdingsDue(0);
        p.holdings("p", Set.of("a"), 0);
        assertEquals(List.of(), p.plan(0));
        assertTrue(p.stalled(3000 * MS).isEmpty());
        p.holdingsDue(2900 * MS);
        assertEquals(3000 * MS + 1, p.wakeAt(2900 * MS), "woken to give up on time");
        String why = p.stalled(3001 * MS).orElseThrow();
        assertTrue(why.startsWith("no peer holds 2 missing chunks (first e)"), why);
    }

    @Test
    void aChunkAppearingBeforeTheStallTime_resetsIt() {
        ChunkPipeline p = pipeline(new FetchPlanner(4, 8), Set.of("a", "b", "c", "d", "e"), List.of("p"));
        p.holdingsDue(0);
        p.holdings("p", Set.of(), 0);
        p.plan(0);
        p.holdingsDue(2000 * MS);
        p.holdings("p", Set.of("f"), 2000 * MS);
        Fetch f = p.plan(2000 * MS).getFirst();
        assertTrue(p.stalled(4000 * MS).isEmpty());
        p.ended(f, Outcome.STORED, 4000 * MS);
        assertTrue(p.complete());
    }
}
