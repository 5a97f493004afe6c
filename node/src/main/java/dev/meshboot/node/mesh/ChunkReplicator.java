package dev.meshboot.node.mesh;

import dev.meshboot.images.ChunkIntegrityException;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.manifest.SnapshotManifest;
import dev.meshboot.images.signing.ManifestSignature;
import dev.meshboot.images.store.ChunkStore;
import dev.meshboot.images.store.SnapshotStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Pulls a snapshot's chunks from peers over HTTP until this member holds it whole, then commits it. Every chunk is
 * verified against the manifest before it is stored (size, zstd frame, SHA-256 of the content), and a peer that
 * served a bad one is avoided for the rest of the run. What to fetch from whom is {@link FetchPlanner}'s choice,
 * from the peers' holdings ({@code GET /snapshots/ID/held}), which are asked again every round, so chunks a peer
 * fetched meanwhile become sources at once. An optional {@link RateLimiter} caps the bandwidth.
 *
 * <p>The manifest must carry a signature by a trusted key: a member never spends a byte on a snapshot it would
 * refuse to boot.
 */
public final class ChunkReplicator {
    /** A peer's HTTP server. */
    public record Peer(String name, URI base) {}

    /** What a run did: chunks fetched per peer, and the peers it stopped asking. */
    public record Report(int chunks, Map<String, Integer> fromPeer, Set<String> avoided) {}

    /** Told of each chunk as it is stored or refused (the status page's counters, the tests' evidence). */
    public interface Listener {
        void fetched(String chunk, String peer, int bytes);

        void refused(String chunk, String peer, String why);

        Listener NONE = new Listener() {
            @Override
            public void fetched(String chunk, String peer, int bytes) {}

            @Override
            public void refused(String chunk, String peer, String why) {}
        };
    }

    private final SnapshotStore store;
    private final PendingSnapshots pending;
    private final HttpClient http;
    private final FetchPlanner planner;
    private final Optional<RateLimiter> cap;
    private final Listener listener;
    private final Duration stall;
    /** The longest one chunk may take, headers and body: 8 MiB (the largest chunk) at 1 MB/s, with room. */
    private static final Duration CHUNK_DEADLINE = Duration.ofSeconds(60);

    /**
     * @param stall how long a round may find no peer holding any missing chunk before the run gives up
     */
    public ChunkReplicator(SnapshotStore store, HttpClient http, FetchPlanner planner, Optional<RateLimiter> cap,
            Listener listener, Duration stall) throws IOException {
        this.store = store;
        this.pending = new PendingSnapshots(store);
        this.http = http;
        this.planner = planner;
        this.cap = cap;
        this.listener = listener;
        this.stall = stall;
    }

    public Report replicate(String id, byte[] manifest, byte[] signature, List<Peer> peers,
            Collection<PublicKey> extraTrusted) throws IOException, InterruptedException {
        if (!ChunkStore.idOf(manifest).equals(id)) {
            throw new IOException("snapshot " + id + ": the manifest given hashes to " + ChunkStore.idOf(manifest));
        }
        ManifestSignature sig = ManifestSignature.fromJson(signature, "snapshot " + id);
        List<PublicKey> trusted = new ArrayList<>(store.trustedKeys());
        trusted.addAll(extraTrusted);
        sig.verify(manifest, trusted, "snapshot " + id);
        SnapshotManifest m = store.codec().read(manifest);
        pending.put(id, manifest, Optional.of(signature));

        Map<String, ChunkRef> refs = new HashMap<>();
        List<String> order = new ArrayList<>();
        for (ChunkRef c : PendingSnapshots.chunks(m)) {
            refs.put(c.id(), c);
            order.add(c.id());
        }
        Map<String, Integer> fromPeer = new ConcurrentHashMap<>();
        Set<String> avoided = ConcurrentHashMap.newKeySet();
        Map<String, Peer> byName = new HashMap<>();
        peers.forEach(p -> byName.put(p.name(), p));
        int fetched = 0;
        long stalledSince = -1;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            while (true) {
                List<String> missing = order.stream().filter(c -> !store.chunks().contains(c)).toList();
                if (missing.isEmpty()) {
                    break;
                }
                Map<String, Set<String>> holdings = new HashMap<>();
                for (Peer p : peers) {
                    if (!avoided.contains(p.name())) {
                        holdings.put(p.name(), holdings(p, id, order));
                    }
                }
                List<FetchPlanner.Fetch> plan = planner.next(missing, holdings, Map.of(), avoided);
                if (plan.isEmpty()) {
                    if (stalledSince < 0) {
                        stalledSince = System.nanoTime();
                    } else if (System.nanoTime() - stalledSince > stall.toNanos()) {
                        throw new IOException("snapshot " + id + ": no peer holds " + missing.size()
                                + " missing chunks (first " + missing.getFirst() + "); avoided: " + avoided);
                    }
                    Thread.sleep(200); // peers are fetching too: ask them again shortly
                    continue;
                }
                stalledSince = -1;
                List<Future<Boolean>> round = new ArrayList<>();
                for (FetchPlanner.Fetch f : plan) {
                    round.add(pool.submit(() -> fetch(byName.get(f.peer()), refs.get(f.chunk()), fromPeer, avoided)));
                }
                for (Future<Boolean> r : round) {
                    try {
                        fetched += r.get() ? 1 : 0;
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new IOException("fetching a chunk failed", e.getCause());
                    }
                }
            }
        }
        store.commit(manifest, Optional.of(sig));
        pending.remove(id);
        return new Report(fetched, Map.copyOf(fromPeer), Set.copyOf(avoided));
    }

    /** One chunk from one peer: verified, then stored; a bad one marks the peer avoided. */
    private boolean fetch(Peer peer, ChunkRef ref, Map<String, Integer> fromPeer, Set<String> avoided)
            throws InterruptedException, IOException {
        HttpResponse<byte[]> r;
        try {
            // The request's own timeout ends at the response headers; a peer that dies while sending the body would
            // hold this round for ever, so the whole exchange is bounded here.
            r = http.sendAsync(HttpRequest.newBuilder(peer.base().resolve("/chunks/" + ref.id()))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray())
                    .get(CHUNK_DEADLINE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            listener.refused(ref.id(), peer.name(), "unreachable or too slow: " + e);
            return false; // asked again next round, if it still claims the chunk
        }
        if (r.statusCode() != 200) {
            listener.refused(ref.id(), peer.name(), "HTTP " + r.statusCode());
            return false;
        }
        byte[] compressed = r.body();
        if (cap.isPresent()) {
            cap.get().acquire(compressed.length);
        }
        try {
            ChunkStore.verify(ref, compressed, "chunk from " + peer.name());
        } catch (ChunkIntegrityException e) {
            avoided.add(peer.name());
            listener.refused(ref.id(), peer.name(), e.getMessage());
            return false;
        }
        store.chunks().put(ref.id(), compressed);
        fromPeer.merge(peer.name(), 1, Integer::sum);
        listener.fetched(ref.id(), peer.name(), compressed.length);
        return true;
    }

    /** The chunks a peer says it holds; none if it cannot say (down, or it does not know the snapshot). */
    private Set<String> holdings(Peer p, String id, List<String> order) throws InterruptedException {
        try {
            HttpResponse<String> r = http.sendAsync(HttpRequest.newBuilder(p.base().resolve("/snapshots/" + id + "/held"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())
                    .get(20, java.util.concurrent.TimeUnit.SECONDS);
            String bits = r.body().strip();
            if (r.statusCode() != 200 || bits.length() != order.size()) {
                return Set.of();
            }
            Set<String> held = new HashSet<>();
            for (int i = 0; i < bits.length(); i++) {
                if (bits.charAt(i) == '1') {
                    held.add(order.get(i));
                }
            }
            return held;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return Set.of();
        }
    }
}
