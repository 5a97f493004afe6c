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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Pulls a snapshot's chunks from peers over HTTP until this member holds it whole, then commits it. Every chunk is
 * verified against the manifest before it is stored (size, zstd frame, SHA-256 of the content), and a peer that
 * served a bad one is avoided for the rest of the run. What to fetch from whom is {@link FetchPlanner}'s choice,
 * from the peers' holdings ({@code GET /snapshots/ID/held}). An optional {@link RateLimiter} caps the bandwidth.
 *
 * <p>The fetches form a pipeline, not rounds (rounds that waited for their slowest chunk kept 8 members at 2.9
 * times the link floor in bench/replication.sh): each peer has up to the planner's {@code perPeer} requests in
 * flight, and as soon as one ends the next is planned and started, while the peers' holdings are asked again in
 * the background ({@link ChunkPipeline} keeps the books; this class does the I/O). Each request is bounded as a
 * whole, headers and body, and is cancelled (its connection closed) when it runs out of time or when another copy
 * of its chunk won the endgame.
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
    /** The longest a holdings question may take: a peer that cannot say within it is taken to hold nothing. */
    private static final Duration HELD_DEADLINE = Duration.ofSeconds(5);
    /**
     * How often a busy peer's holdings are asked again: often enough that chunks it fetched become sources within a
     * fraction of the run, rarely enough that N members asking N peers stay cheap (each answer stats every chunk
     * file; on 2 cores shared by 17 JVMs, bench/replication.sh is CPU-bound at N = 8). A peer this member has
     * nothing in flight to is asked every {@link #IDLE_REFRESH}: what it fetched meanwhile may be what we lack.
     */
    private static final Duration REFRESH = Duration.ofSeconds(1);

    private static final Duration IDLE_REFRESH = Duration.ofMillis(500);

    /**
     * @param stall how long nothing may be in flight and no peer hold any missing chunk before the run gives up
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
        Set<String> held = new HashSet<>();
        for (ChunkRef c : PendingSnapshots.chunks(m)) {
            refs.put(c.id(), c);
            order.add(c.id());
            if (store.chunks().contains(c.id())) {
                held.add(c.id());
            }
        }
        Map<String, Peer> byName = new LinkedHashMap<>();
        peers.forEach(p -> byName.put(p.name(), p));
        ChunkPipeline run = new ChunkPipeline(planner, order, held, byName.keySet(), REFRESH.toNanos(),
                IDLE_REFRESH.toNanos(), stall.toNanos(), System.nanoTime());
        Map<String, Integer> fromPeer = new HashMap<>();
        int fetched = 0;
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        // Every request still out, so that an early end (an error, an interrupt) closes their connections.
        Map<Object, CompletableFuture<?>> out = new HashMap<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            try {
                while (!run.complete()) {
                    long now = System.nanoTime();
                    for (String p : run.holdingsDue(now)) {
                        CompletableFuture<HttpResponse<String>> cf = http.sendAsync(
                                HttpRequest.newBuilder(byName.get(p).base().resolve("/snapshots/" + id + "/held"))
                                        .timeout(HELD_DEADLINE).build(), HttpResponse.BodyHandlers.ofString());
                        out.put(p, cf);
                        pool.execute(() -> events.add(new Held(p, holdings(cf, order))));
                    }
                    for (FetchPlanner.Fetch f : run.plan(now)) {
                        CompletableFuture<HttpResponse<byte[]>> cf = http.sendAsync(
                                HttpRequest.newBuilder(byName.get(f.peer()).base().resolve("/chunks/" + f.chunk()))
                                        .timeout(CHUNK_DEADLINE).build(), HttpResponse.BodyHandlers.ofByteArray());
                        out.put(f, cf);
                        pool.execute(() -> events.add(fetchGuarded(f, refs.get(f.chunk()), cf)));
                    }
                    Optional<String> stuck = run.stalled(now);
                    if (stuck.isPresent()) {
                        throw new IOException("snapshot " + id + ": " + stuck.get());
                    }
                    List<Event> happened = new ArrayList<>();
                    Event first = events.poll(Math.max(1, run.wakeAt(now) - now), TimeUnit.NANOSECONDS);
                    if (first == null) {
                        continue;
                    }
                    happened.add(first);
                    events.drainTo(happened);
                    now = System.nanoTime();
                    for (Event e : happened) {
                        switch (e) {
                            case Held h -> {
                                out.remove(h.peer());
                                run.holdings(h.peer(), h.chunks(), now);
                            }
                            case Done d -> {
                                out.remove(d.fetch());
                                ChunkPipeline.Settled s = run.ended(d.fetch(), d.outcome(), now);
                                if (s.counts()) {
                                    fetched++;
                                    fromPeer.merge(d.fetch().peer(), 1, Integer::sum);
                                    listener.fetched(d.fetch().chunk(), d.fetch().peer(), d.bytes());
                                } else if (d.outcome() == ChunkPipeline.Outcome.FAILED
                                        || d.outcome() == ChunkPipeline.Outcome.BAD) {
                                    listener.refused(d.fetch().chunk(), d.fetch().peer(), d.why());
                                }
                                for (FetchPlanner.Fetch c : s.cancel()) {
                                    CompletableFuture<?> loser = out.get(c);
                                    if (loser != null) {
                                        loser.cancel(true); // its Done (CANCELLED) still comes, and changes nothing
                                    }
                                }
                            }
                        }
                    }
                }
            } finally {
                out.values().forEach(cf -> cf.cancel(true));
            }
        }
        store.commit(manifest, Optional.of(sig));
        pending.remove(id);
        return new Report(fetched, Map.copyOf(fromPeer), run.avoided());
    }

    /** What the pipeline hears: a peer's holdings, or a request's end. */
    private sealed interface Event permits Held, Done {}

    private record Held(String peer, Set<String> chunks) implements Event {}

    private record Done(FetchPlanner.Fetch fetch, ChunkPipeline.Outcome outcome, int bytes, String why)
            implements Event {}

    /** {@link #fetch}, whose end always reaches the pipeline: a request that never ended would hold its slot. */
    private Done fetchGuarded(FetchPlanner.Fetch f, ChunkRef ref, CompletableFuture<HttpResponse<byte[]>> cf) {
        try {
            return fetch(f, ref, cf);
        } catch (RuntimeException e) {
            cf.cancel(true);
            return new Done(f, ChunkPipeline.Outcome.FAILED, 0, "failed: " + e);
        }
    }

    /** One chunk's answer, waited for within the deadline, then verified and stored (on a thread of its own). */
    private Done fetch(FetchPlanner.Fetch f, ChunkRef ref, CompletableFuture<HttpResponse<byte[]>> cf) {
        HttpResponse<byte[]> r;
        try {
            // The request's own timeout ends at the response headers; a peer that dies while sending the body would
            // hold this slot for ever, so the whole exchange is bounded here, and the connection closed after it.
            r = cf.get(CHUNK_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (CancellationException e) {
            return new Done(f, ChunkPipeline.Outcome.CANCELLED, 0, "cancelled");
        } catch (InterruptedException e) {
            cf.cancel(true);
            return new Done(f, ChunkPipeline.Outcome.CANCELLED, 0, "interrupted");
        } catch (TimeoutException e) {
            cf.cancel(true);
            return new Done(f, ChunkPipeline.Outcome.FAILED, 0, "too slow: no whole answer within " + CHUNK_DEADLINE);
        } catch (ExecutionException e) {
            return cf.isCancelled() ? new Done(f, ChunkPipeline.Outcome.CANCELLED, 0, "cancelled")
                    : new Done(f, ChunkPipeline.Outcome.FAILED, 0, "unreachable: " + e.getCause());
        }
        if (r.statusCode() != 200) {
            return new Done(f, ChunkPipeline.Outcome.FAILED, 0, "HTTP " + r.statusCode());
        }
        byte[] compressed = r.body();
        try {
            if (cap.isPresent()) {
                cap.get().acquire(compressed.length);
            }
            ChunkStore.verify(ref, compressed, "chunk from " + f.peer());
            store.chunks().put(ref.id(), compressed);
        } catch (ChunkIntegrityException e) {
            return new Done(f, ChunkPipeline.Outcome.BAD, 0, e.getMessage());
        } catch (IOException e) {
            return new Done(f, ChunkPipeline.Outcome.FAILED, 0, "not stored: " + e);
        } catch (InterruptedException e) {
            return new Done(f, ChunkPipeline.Outcome.CANCELLED, 0, "interrupted");
        }
        return new Done(f, ChunkPipeline.Outcome.STORED, compressed.length, "");
    }

    /** The chunks a peer says it holds; none if it cannot say (down, or it does not know the snapshot). */
    private static Set<String> holdings(CompletableFuture<HttpResponse<String>> cf, List<String> order) {
        try {
            HttpResponse<String> r = cf.get(HELD_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
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
        } catch (ExecutionException | TimeoutException | RuntimeException e) { // cancelled, or a bad answer
            cf.cancel(true);
            return Set.of();
        } catch (InterruptedException e) {
            cf.cancel(true);
            Thread.currentThread().interrupt();
            return Set.of();
        }
    }
}
