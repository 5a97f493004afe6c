package dev.meshboot.node.mesh;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which chunks a member fetches next, and from whom: a pure function of what it lacks, what each peer
 * holds, what is in flight, and which peers are avoided. The policy is BitTorrent's, for the same reasons:
 * <ul>
 *   <li><b>rarest first</b>: the chunks fewest peers hold are fetched first, so a chunk held by one peer is copied
 *       before that peer can fail, and the swarm soon has many sources for everything;
 *   <li><b>spread</b>: each chunk goes to the least busy peer that holds it (ties by name), so N members pull from
 *       N-1 sources instead of all from the first one;
 *   <li><b>bounded</b>: at most {@code perPeer} requests in flight to one peer, so a slow peer never holds more than
 *       its share, and {@code total} in flight overall;
 *   <li><b>avoided</b>: a peer that served a bad chunk is not asked again (the scrub may forgive it later).
 * </ul>
 * Ties between equally rare chunks go by a per-member order (a hash of the member's name and the chunk id), so
 * members that start together ask the origin for <em>different</em> chunks and then trade them, instead of all
 * asking it for the front of the snapshot (bench/replication.sh measured that: the origin sent 4.3 copies to 8
 * members). Without a member name the order is the snapshot's.
 *
 * <p>The <b>endgame</b>: once every missing chunk that a peer holds is in flight, a free slot asks a second holder
 * for a chunk already in flight (the oldest request first), so the last chunks of a run do not wait on one slow
 * peer. It copies at most the chunks in flight, at most {@code total} requests. Outside the endgame a chunk in
 * flight is never asked for again.
 */
public final class FetchPlanner {
    /** One request to make: this chunk from this peer. */
    public record Fetch(String chunk, String peer) {}

    /**
     * Requests for one chunk at once in the endgame: a second holder rescues a straggler; a third rarely beats two,
     * and every copy takes this member's downlink from the others.
     */
    static final int ENDGAME_COPIES = 2;

    private final int perPeer;
    private final int total;
    private final java.util.Optional<String> member;

    public FetchPlanner(int perPeer, int total) {
        this(perPeer, total, java.util.Optional.empty());
    }

    /** @param member this member's name: equally rare chunks are taken in an order of its own */
    public FetchPlanner(int perPeer, int total, java.util.Optional<String> member) {
        if (perPeer < 1 || total < 1) {
            throw new IllegalArgumentException("limits must be at least 1");
        }
        this.perPeer = perPeer;
        this.total = total;
        this.member = member;
    }

    /**
     * @param missing the chunks this member lacks, in snapshot order
     * @param holdings what each peer holds
     * @param inFlight requests already made: chunk to the peers asked for it, oldest request first (the endgame
     *     duplicates the oldest first: they are the likeliest stragglers)
     * @param avoided peers not to ask
     */
    public List<Fetch> next(List<String> missing, Map<String, ? extends Collection<String>> holdings,
            Map<String, ? extends Collection<String>> inFlight, Set<String> avoided) {
        Map<String, Integer> load = new HashMap<>();
        int requests = 0;
        for (Collection<String> asked : inFlight.values()) {
            for (String p : asked) {
                load.merge(p, 1, Integer::sum);
                requests++;
            }
        }
        Map<String, Set<String>> holders = new LinkedHashMap<>();
        boolean allAsked = true;
        for (String chunk : missing) {
            if (inFlight.containsKey(chunk)) {
                continue;
            }
            Set<String> h = holders(chunk, holdings, avoided);
            if (h.isEmpty()) {
                continue;
            }
            allAsked = false;
            holders.put(chunk, h);
        }
        Map<String, Integer> order = new HashMap<>();
        for (int i = 0; i < missing.size(); i++) {
            order.putIfAbsent(missing.get(i), i);
        }
        List<String> byRarity = new ArrayList<>(holders.keySet());
        Comparator<String> ties = member.isPresent()
                ? Comparator.<String>comparingLong(c -> mix(member.get().hashCode() * 0x9E3779B97F4A7C15L ^ c.hashCode()))
                        .thenComparingInt(order::get)
                : Comparator.comparingInt(order::get);
        byRarity.sort(Comparator.<String>comparingInt(c -> holders.get(c).size()).thenComparing(ties));
        List<Fetch> out = new ArrayList<>();
        int budget = total - requests;
        for (String chunk : byRarity) {
            if (budget <= 0) {
                break;
            }
            String best = leastLoaded(holders.get(chunk), Set.of(), load);
            if (best != null) {
                out.add(new Fetch(chunk, best));
                load.merge(best, 1, Integer::sum);
                budget--;
            }
        }
        if (allAsked) {
            // The endgame (BitTorrent's): every chunk still missing has been asked for, so a slot that would
            // otherwise idle asks another holder for a chunk already in flight; the first answer wins and the
            // other request is cancelled. At most the in-flight chunks are copied, so it costs little downlink.
            for (Map.Entry<String, ? extends Collection<String>> e : inFlight.entrySet()) {
                if (budget <= 0) {
                    break;
                }
                if (e.getValue().size() >= ENDGAME_COPIES || !missing.contains(e.getKey())) {
                    continue;
                }
                String best = leastLoaded(holders(e.getKey(), holdings, avoided), Set.copyOf(e.getValue()), load);
                if (best != null) {
                    out.add(new Fetch(e.getKey(), best));
                    load.merge(best, 1, Integer::sum);
                    budget--;
                }
            }
        }
        return out;
    }

    /** The peers, not avoided, that hold a chunk. */
    private static Set<String> holders(String chunk, Map<String, ? extends Collection<String>> holdings,
            Set<String> avoided) {
        Set<String> h = new HashSet<>();
        holdings.forEach((peer, chunks) -> {
            if (!avoided.contains(peer) && chunks.contains(chunk)) {
                h.add(peer);
            }
        });
        return h;
    }

    /** The least busy of some peers with a free slot, ties by name; null if none. */
    private String leastLoaded(Set<String> peers, Set<String> except, Map<String, Integer> load) {
        String best = null;
        for (String peer : peers) {
            int l = load.getOrDefault(peer, 0);
            if (l >= perPeer || except.contains(peer)) {
                continue;
            }
            if (best == null || l < load.getOrDefault(best, 0) || (l == load.getOrDefault(best, 0)
                    && peer.compareTo(best) < 0)) {
                best = peer;
            }
        }
        return best;
    }

    /** SplitMix64's finaliser: a member's order of chunks is unrelated to any other member's. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
