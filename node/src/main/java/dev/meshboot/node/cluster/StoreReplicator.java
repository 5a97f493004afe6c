package dev.meshboot.node.cluster;

import dev.meshboot.clusterconfig.CanonicalDocument;
import dev.meshboot.clusterconfig.store.DocumentKey;
import dev.meshboot.clusterconfig.store.MergeResult;
import dev.meshboot.clusterconfig.store.ReplicatedStore;
import dev.meshboot.clusterconfig.store.StoreCodec;
import dev.meshboot.clusterconfig.store.StoreDigest;
import dev.meshboot.clusterconfig.store.VersionedDocument;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Keeps this member's {@link ReplicatedStore} equal to every other member's over the {@link ClusterChannel}
 * (docs/cluster.md, "Replication on the wire").
 *
 * <ul>
 *   <li>A local write is made durable, then multicast ({@link MessageKind#STORE_VERSIONS}); every receiver merges it.
 *   <li>On every view change each member runs one anti-entropy round with its successor in the view (a ring, so
 *       every member takes part in two rounds and the traffic grows with the number of members, not its square),
 *       and a joining member runs its first round with the coordinator (its predecessor then skips it). A round: digests, then summaries of the
 *       buckets that differ, then each side pushes the versions the other lacks. Nothing is replayed.
 *   <li>What a round teaches a member is multicast on, so after a merge one round across the old boundary is enough
 *       for both whole sides; a joiner's first round is not relayed (the others already hold what it learns).
 *   <li>The same round also runs every {@code period}, a safety net for anything lost between views.
 * </ul>
 *
 * <p>Every message is handled on one thread of its own, in arrival order, so store I/O never holds up JGroups.
 */
public final class StoreReplicator implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(StoreReplicator.class.getName());

    private final ReplicatedStore store;
    private final ClusterChannel channel;
    private final Duration period;
    private final ScheduledExecutorService worker;
    /** Rounds this member started, by peer: whether what they teach is relayed, and who waits for them. */
    private final Map<Member, Round> rounds = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();

    private record Round(boolean relay, CompletableFuture<Void> done) {}

    public StoreReplicator(ReplicatedStore store, ClusterChannel channel, Duration period) {
        this.store = store;
        this.channel = channel;
        this.period = period;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "store-replication");
            t.setDaemon(true);
            return t;
        });
    }

    /** Registers with the channel; call before {@link ClusterChannel#connect}. */
    public void start() {
        channel.register(MessageKind.STORE_VERSIONS, (from, body) -> on(() -> versions(from, body)));
        channel.register(MessageKind.STORE_DIGEST, (from, body) -> on(() -> digest(from, body)));
        channel.register(MessageKind.STORE_SUMMARIES, (from, body) -> on(() -> summaries(from, body)));
        channel.register(MessageKind.STORE_PUSH, (from, body) -> on(() -> push(from, body)));
        channel.onMembership(m -> on(() -> viewChanged(m)));
        long ms = period.toMillis();
        worker.scheduleWithFixedDelay(() -> channel.membership().flatMap(Membership::successor)
                .ifPresent(peer -> startRound(peer, true)), ms, ms, TimeUnit.MILLISECONDS);
    }

    public ReplicatedStore store() {
        return store;
    }

    /** Writes documents here and multicasts the versions that changed; returns every document's version. */
    public List<VersionedDocument> write(Collection<CanonicalDocument> documents) throws IOException {
        List<VersionedDocument> out = new ArrayList<>();
        List<VersionedDocument> changed = new ArrayList<>();
        for (CanonicalDocument d : documents) {
            Optional<VersionedDocument> before = store.get(new DocumentKey(d.kind(), d.name()));
            VersionedDocument v = store.write(d);
            out.add(v);
            if (before.map(b -> !b.equals(v)).orElse(true)) {
                changed.add(v);
            }
        }
        broadcast(changed);
        return out;
    }

    /** Deletes a document (a tombstone) and multicasts it; empty when there was nothing to delete. */
    public Optional<VersionedDocument> delete(DocumentKey key) throws IOException {
        Optional<VersionedDocument> t = store.delete(key);
        t.ifPresent(v -> broadcast(List.of(v)));
        return t;
    }

    /**
     * Waits until this member's first anti-entropy round (with the coordinator) is over, or until it found itself
     * alone: what the agent waits for before it decides whether its store is empty (seeding).
     *
     * @return false when the time ran out first
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        try {
            caughtUp.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return false;
        }
    }

    /** Starts a round with a peer now; completes when the peer's last push has been merged. */
    public CompletableFuture<Void> catchUp(Member peer) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        on(() -> startRound(peer, true).whenComplete((v, e) -> done.complete(null)));
        return done;
    }

    private CompletableFuture<Void> startRound(Member peer, boolean relay) {
        Round r = new Round(relay, new CompletableFuture<>());
        Round previous = rounds.put(peer, r);
        if (previous != null) {
            previous.done().complete(null); // superseded: the new round covers it
        }
        try {
            channel.send(peer, MessageKind.STORE_DIGEST, store.digest().toBytes());
        } catch (Exception e) {
            LOG.log(Level.WARNING, "anti-entropy with {0} not started: {1}", peer, e.getMessage());
            rounds.remove(peer, r);
            r.done().complete(null);
        }
        return r.done();
    }

    private void viewChanged(Membership m) {
        if (m.previous().isEmpty()) {
            if (m.isCoordinator()) {
                caughtUp.complete(null); // alone, or the first: nobody to learn from
            } else {
                startRound(m.coordinator(), false).whenComplete((v, e) -> caughtUp.complete(null));
            }
            return;
        }
        // A member that has just joined runs its own first round with the coordinator; a second round with it now
        // would push the whole store to it twice. After a merge nobody is new: every boundary pair exchanges.
        m.successor().filter(peer -> m.merge() || m.previous().contains(peer))
                .ifPresent(peer -> startRound(peer, true));
    }

    /** Step 1, at the peer: its digest; answer with the buckets that differ and our summaries of them. */
    private void digest(Member from, byte[] body) throws Exception {
        StoreDigest theirs = StoreDigest.fromBytes(body);
        TreeSet<Integer> buckets = store.digest().differingBuckets(theirs);
        channel.send(from, MessageKind.STORE_SUMMARIES,
                AntiEntropyMessages.summaries(true, buckets, store.summaries(buckets)));
    }

    /**
     * Step 2 (at the initiator, {@code replyWanted}) and 3 (at the peer): push what the other side lacks; the
     * initiator also sends its own summaries so the peer can push back. No differing bucket ends the round.
     */
    private void summaries(Member from, byte[] body) throws Exception {
        AntiEntropyMessages.Summaries s = AntiEntropyMessages.summaries(body);
        if (s.replyWanted()) {
            if (s.buckets().isEmpty()) {
                finish(from);
                return;
            }
            List<VersionedDocument> missing = store.missingFrom(s.summaries(), s.buckets());
            if (!missing.isEmpty()) {
                channel.send(from, MessageKind.STORE_PUSH, AntiEntropyMessages.push(false, missing));
            }
            channel.send(from, MessageKind.STORE_SUMMARIES,
                    AntiEntropyMessages.summaries(false, s.buckets(), store.summaries(s.buckets())));
        } else {
            channel.send(from, MessageKind.STORE_PUSH,
                    AntiEntropyMessages.push(true, store.missingFrom(s.summaries(), s.buckets())));
        }
    }

    private void push(Member from, byte[] body) throws Exception {
        AntiEntropyMessages.Push p = AntiEntropyMessages.push(body);
        Round round = rounds.get(from);
        MergeResult r = apply(from, p.versions());
        if (!r.changed().isEmpty() && (round == null || round.relay())) {
            broadcast(r.changed());
        }
        if (p.last()) {
            finish(from);
        }
    }

    private void finish(Member peer) {
        Round r = rounds.remove(peer);
        if (r != null) {
            r.done().complete(null);
        }
    }

    private void versions(Member from, byte[] body) throws Exception {
        if (channel.membership().map(m -> m.self().equals(from)).orElse(false)) {
            return; // our own multicast: already held
        }
        apply(from, StoreCodec.decodeAll(body));
    }

    private MergeResult apply(Member from, List<VersionedDocument> versions) throws IOException {
        if (versions.isEmpty()) {
            return new MergeResult(List.of(), List.of(), List.of());
        }
        MergeResult r = store.applyRemote(versions);
        for (var c : r.conflicts()) {
            LOG.log(Level.INFO, "conflict on {0}: kept {1}, lost {2} ({3})", c.key(), c.winner(), c.loser(), c.reason());
        }
        for (var v : r.aheadOfClock()) {
            LOG.log(Level.WARNING, "{0} from {1} is stamped ahead of this clock; is its clock wrong?", v, from);
        }
        return r;
    }

    private void broadcast(List<VersionedDocument> versions) {
        if (versions.isEmpty()) {
            return;
        }
        try {
            channel.broadcast(MessageKind.STORE_VERSIONS, StoreCodec.encodeAll(versions));
        } catch (Exception e) {
            // Durable here already; anti-entropy carries it once the channel works again.
            LOG.log(Level.WARNING, "could not multicast {0} versions: {1}", versions.size(), e.getMessage());
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private void on(Step step) {
        try {
            worker.execute(() -> {
                try {
                    step.run();
                } catch (Exception e) {
                    LOG.log(Level.WARNING, "store replication step failed: " + e.getMessage(), e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
        rounds.values().forEach(r -> r.done().complete(null));
    }
}
