package dev.meshboot.node.mesh;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One replication run's bookkeeping, without I/O: which chunks are missing, which requests are in flight, what each
 * peer last said it holds and when to ask it again, which peers are avoided, and since when nothing could be
 * fetched. {@link ChunkReplicator} tells it what happened (a peer's holdings, a request's end) and the time, and
 * does what it answers: start these requests, cancel those, ask these peers. Time is a number of nanoseconds
 * handed in, so tests drive it with a clock of their own.
 *
 * <p>It is a pipeline, not rounds: a request that ends frees its peer's slot, and the next {@link #plan} fills it
 * at once, so a slow peer holds only its own slots and never the chunks a fast peer could send meanwhile. Holdings
 * are asked per peer every {@code refresh}, and every {@code idleRefresh} for a peer this member has nothing in
 * flight to (it may since have fetched something this member lacks). An avoided peer is not asked again.
 * Not thread-safe: one thread drives a run.
 */
final class ChunkPipeline {
    /** How a request ended. */
    enum Outcome {
        /** Verified and stored. */
        STORED,
        /** Unreachable, an HTTP error, or too slow: the peer is asked for it again only once it claims it again. */
        FAILED,
        /** It served a chunk that does not match the manifest: the peer is avoided for the rest of the run. */
        BAD,
        /** Cancelled here (another copy won the endgame, or the run ended). */
        CANCELLED
    }

    /**
     * What a request's end means. {@code counts}: this is the copy that completed the chunk (count it, tell the
     * listener); {@code cancel}: other requests for the same chunk, now useless.
     */
    record Settled(boolean counts, List<FetchPlanner.Fetch> cancel) {}

    /**
     * How long the first plan waits for every peer's first holdings: planning from all of them makes "rarest" mean
     * something, but a peer that does not answer must not hold up the others for its whole deadline.
     */
    static final long FIRST_ANSWERS_NANOS = 1_000_000_000L;

    private final FetchPlanner planner;
    private final List<String> peers;
    private final long refresh;
    private final long idleRefresh;
    private final long stall;
    private final long started;
    private final LinkedHashSet<String> missing = new LinkedHashSet<>();
    /** Chunk to the peers asked for it, oldest request first (the planner's endgame relies on that order). */
    private final Map<String, List<String>> inFlight = new LinkedHashMap<>();
    private final Map<String, Set<String>> holdings = new HashMap<>();
    private final Map<String, Long> answeredAt = new HashMap<>();
    /** When to ask each peer its holdings next; absent while a question is out. */
    private final Map<String, Long> askAt = new HashMap<>();
    private final Set<String> avoided = new LinkedHashSet<>();
    private long stalledSince = -1;

    /**
     * @param order every chunk of the snapshot, in snapshot order
     * @param held the chunks this member holds already
     * @param peers the peers' names
     * @param stall how long nothing may be in flight and nothing plannable before {@link #stalled} reports it
     */
    ChunkPipeline(FetchPlanner planner, List<String> order, Set<String> held, Collection<String> peers,
            long refreshNanos, long idleRefreshNanos, long stallNanos, long now) {
        this.planner = planner;
        this.peers = List.copyOf(peers);
        this.refresh = refreshNanos;
        this.idleRefresh = idleRefreshNanos;
        this.stall = stallNanos;
        this.started = now;
        for (String c : order) {
            if (!held.contains(c)) {
                missing.add(c);
            }
        }
        this.peers.forEach(p -> askAt.put(p, now));
    }

    boolean complete() {
        return missing.isEmpty();
    }

    int missing() {
        return missing.size();
    }

    Set<String> avoided() {
        return Set.copyOf(avoided);
    }

    /** The peers to ask for their holdings now; each counts as asked until {@link #holdings} brings its answer. */
    List<String> holdingsDue(long now) {
        List<String> due = new ArrayList<>();
        for (String p : peers) {
            Long at = askAt.get(p);
            if (at != null && at - now <= 0 && !avoided.contains(p)) {
                askAt.remove(p);
                due.add(p);
            }
        }
        return due;
    }

    /** A peer's answer: what it holds (nothing if it could not say). */
    void holdings(String peer, Set<String> held, long now) {
        holdings.put(peer, new HashSet<>(held));
        answeredAt.put(peer, now);
        if (!avoided.contains(peer)) {
            askAt.put(peer, now + (busy(peer) ? refresh : idleRefresh));
        }
    }

    /** The requests to start now, counted as in flight from here on. */
    List<FetchPlanner.Fetch> plan(long now) {
        boolean allAnswered = peers.stream().allMatch(p -> avoided.contains(p) || answeredAt.containsKey(p));
        if (!allAnswered && now - started < FIRST_ANSWERS_NANOS) {
            return List.of();
        }
        List<FetchPlanner.Fetch> out = planner.next(List.copyOf(missing), holdings, inFlight, avoided);
        for (FetchPlanner.Fetch f : out) {
            inFlight.computeIfAbsent(f.chunk(), c -> new ArrayList<>(2)).add(f.peer());
        }
        if (inFlight.isEmpty() && !missing.isEmpty()) {
            stalledSince = stalledSince < 0 ? now : stalledSince;
        } else {
            stalledSince = -1;
        }
        for (String p : peers) {
            // A peer with nothing in flight is asked again soon: what it fetched meanwhile may be what we lack.
            Long answered = answeredAt.get(p);
            if (askAt.containsKey(p) && answered != null) {
                askAt.put(p, answered + (busy(p) ? refresh : idleRefresh));
            }
        }
        return out;
    }

    /** A request ended. */
    Settled ended(FetchPlanner.Fetch f, Outcome outcome, long now) {
        List<String> asked = inFlight.get(f.chunk());
        if (asked == null || !asked.remove(f.peer())) {
            return new Settled(false, List.of()); // cancelled earlier: its end changes nothing
        }
        if (asked.isEmpty()) {
            inFlight.remove(f.chunk());
        }
        switch (outcome) {
            case STORED -> {
                missing.remove(f.chunk());
                List<String> others = Optional.ofNullable(inFlight.remove(f.chunk())).orElse(List.of());
                return new Settled(true, others.stream().map(p -> new FetchPlanner.Fetch(f.chunk(), p)).toList());
            }
            case FAILED -> {
                // Not asked again for it until it claims it again (a dead peer's next answer is "nothing"), so a
                // peer that fails is not hammered in a loop.
                Set<String> h = holdings.get(f.peer());
                if (h != null) {
                    h.remove(f.chunk());
                }
            }
            case BAD -> {
                avoided.add(f.peer());
                askAt.remove(f.peer()); // never asked again; nor does its time wake the run
            }
            case CANCELLED -> {}
        }
        return new Settled(false, List.of());
    }

    /** Every request in flight: what to cancel when the run ends early. */
    List<FetchPlanner.Fetch> inFlight() {
        List<FetchPlanner.Fetch> out = new ArrayList<>();
        inFlight.forEach((c, ps) -> ps.forEach(p -> out.add(new FetchPlanner.Fetch(c, p))));
        return out;
    }

    /** Why the run cannot go on, once nothing has been in flight or plannable for {@code stall}. */
    Optional<String> stalled(long now) {
        if (stalledSince < 0 || now - stalledSince <= stall) {
            return Optional.empty();
        }
        return Optional.of("no peer holds " + missing.size() + " missing chunks (first " + missing.getFirst()
                + "); avoided: " + avoided);
    }

    /** When something is due without any event: a holdings question, the stall deadline. */
    long wakeAt(long now) {
        long at = now + refresh;
        for (long t : askAt.values()) {
            at = t - at < 0 ? t : at;
        }
        if (stalledSince >= 0) {
            long s = stalledSince + stall + 1;
            at = s - at < 0 ? s : at;
        }
        long firstPlan = started + FIRST_ANSWERS_NANOS;
        if (answeredAt.size() < peers.size() && firstPlan - now > 0) {
            at = firstPlan - at < 0 ? firstPlan : at;
        }
        return at;
    }

    private boolean busy(String peer) {
        for (List<String> ps : inFlight.values()) {
            if (ps.contains(peer)) {
                return true;
            }
        }
        return false;
    }
}
