package dev.meshboot.node.mesh;

import dev.meshboot.bootstrap.artifacts.ArtifactStore;
import dev.meshboot.bootstrap.artifacts.BootArtifacts;
import dev.meshboot.images.signing.KeyFiles;
import dev.meshboot.images.signing.ManifestSignature;
import dev.meshboot.images.store.SnapshotStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps this member's store holding every snapshot of the replicated catalog, with its boot artifacts: every few
 * seconds it compares the catalog with the store and pulls what is missing from the members in view, chunks with
 * {@link ChunkReplicator} (rarest first, verified, resumable) and artifact blobs by hash. A member serves what it
 * has while it fetches the rest; a snapshot counts as held (and makes its member eligible to serve) only once it is
 * complete and committed.
 *
 * <p>Trust: a catalog entry reaches the store only through the authenticated, encrypted channel, and the member that
 * published it checked its signature against its trusted keys; here the signature is checked against the key it
 * names, so a manifest altered on the way is refused. Artifact blobs are checked against the SHA-256 their index
 * names.
 */
public final class SnapshotSync implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SnapshotSync.class.getName());

    /** A catalog entry: a published snapshot's manifest and signature. */
    public record Entry(String id, byte[] manifest, byte[] signature) {}

    private final SnapshotStore store;
    private final String self;
    private final ArtifactStore artifacts;
    private final Supplier<List<Entry>> catalog;
    private final Supplier<Map<String, String>> peers;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "snapshot-sync");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param peers the members in view and their HTTP base URLs, this member excluded
     */
    public SnapshotSync(SnapshotStore store, String self, Supplier<List<Entry>> catalog,
            Supplier<Map<String, String>> peers) throws IOException {
        this.store = store;
        this.self = self;
        this.artifacts = new ArtifactStore(store.root());
        this.catalog = catalog;
        this.peers = peers;
    }

    public void start(Duration every) {
        timer.scheduleWithFixedDelay(this::round, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One pass: every catalog snapshot this member lacks, then every missing artifact set. */
    void round() {
        try {
            List<String> held = store.ids();
            List<ChunkReplicator.Peer> ps = new ArrayList<>();
            new TreeMap<>(peers.get()).forEach((name, base) -> ps.add(new ChunkReplicator.Peer(name, URI.create(base))));
            if (ps.isEmpty()) {
                return;
            }
            for (Entry e : catalog.get()) {
                if (!held.contains(e.id())) {
                    fetchSnapshot(e, ps);
                }
                if (store.ids().contains(e.id()) && artifacts.of(e.id()).isEmpty()) {
                    fetchArtifacts(e.id(), ps);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "snapshot sync: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void fetchSnapshot(Entry e, List<ChunkReplicator.Peer> ps) throws IOException, InterruptedException {
        ManifestSignature sig = ManifestSignature.fromJson(e.signature(), "catalog entry " + e.id());
        PublicKey signer = KeyFiles.decodePublicKey(Base64.getDecoder().decode(sig.publicKey()), "catalog entry " + e.id());
        long t0 = System.nanoTime();
        ChunkReplicator.Report r = new ChunkReplicator(store, http, new FetchPlanner(4, 16, Optional.of(self)), Optional.empty(),
                ChunkReplicator.Listener.NONE, Duration.ofSeconds(20)).replicate(e.id(), e.manifest(), e.signature(), ps,
                List.of(signer));
        LOG.log(System.Logger.Level.INFO, "snapshot {0} replicated: {1} chunks in {2} ms from {3}", e.id(), r.chunks(),
                (System.nanoTime() - t0) / 1_000_000, r.fromPeer());
    }

    private void fetchArtifacts(String id, List<ChunkReplicator.Peer> ps) throws IOException, InterruptedException {
        for (ChunkReplicator.Peer p : ps) {
            Optional<byte[]> index = get(p.base().resolve("/snapshots/" + id + "/artifacts.json"));
            if (index.isEmpty()) {
                continue;
            }
            BootArtifacts a = BootArtifacts.parse(index.get());
            if (!a.snapshot().equals(id)) {
                continue;
            }
            boolean complete = true;
            for (BootArtifacts.Blob b : a.files().values()) {
                if (java.nio.file.Files.isRegularFile(artifacts.blobPath(b.sha256()))) {
                    continue;
                }
                Optional<byte[]> bytes = get(p.base().resolve("/blobs/" + b.sha256()));
                if (bytes.isEmpty() || !artifacts.put(bytes.get()).equals(b)) {
                    complete = false; // a blob that does not hash to its name is not kept as that name
                    break;
                }
            }
            if (complete) {
                artifacts.commit(a);
                LOG.log(System.Logger.Level.INFO, "boot artifacts of {0} replicated from {1}", id, p.name());
                return;
            }
        }
    }

    private Optional<byte[]> get(URI u) throws InterruptedException {
        return PeerHttp.get(http, u, Duration.ofSeconds(60));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
