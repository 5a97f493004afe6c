package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import com.sun.net.httpserver.HttpServer;
import dev.meshboot.images.SnapshotTrustException;
import dev.meshboot.images.build.BuildListener;
import dev.meshboot.images.build.SnapshotBuilder;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.read.SnapshotReader;
import dev.meshboot.images.sample.SampleTree;
import dev.meshboot.images.signing.KeyFiles;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.node.http.DownloadRedirector;
import dev.meshboot.node.http.HttpBootServer;
import dev.meshboot.node.http.StoreBootContent;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peer-to-peer chunk replication between real HTTP servers on loopback: what a fresh member fetches, from whom,
 * and what it refuses. Each peer is a store served by the same HTTP server the agent runs.
 */
@Timeout(120)
class ChunkReplicatorTest {
    @TempDir
    Path dir;

    private EventLoopGroup group;
    private final List<HttpBootServer> servers = new ArrayList<>();
    private final List<GatedPeer> gated = new ArrayList<>();
    private KeyPair key;
    private SnapshotStore origin;
    private String id;
    private List<ChunkRef> chunks;

    @BeforeEach
    void snapshot() throws Exception {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        key = KeyFiles.generate();
        origin = SnapshotStore.open(dir.resolve("origin"));
        Path rootfs = new SampleTree(11).create(dir.resolve("rootfs"));
        id = new SnapshotBuilder(origin, Clock.systemUTC(), BuildListener.NONE).build(rootfs,
                SnapshotBuilder.Options.defaults("t").withChunkSize(16 << 10).withKey(key)).id();
        chunks = PendingSnapshots.chunks(origin.load(id, false, List.of(key.getPublic())).manifest());
        assertTrue(chunks.size() >= 8, "the sample needs several chunks, has " + chunks.size());
    }

    @AfterEach
    void stop() {
        gated.forEach(GatedPeer::close);
        servers.forEach(HttpBootServer::close);
        group.shutdownGracefully().syncUninterruptibly();
    }

    private ChunkReplicator.Peer serve(String name, SnapshotStore store) throws Exception {
        return serve(name, new StoreBootContent(store, dir, mac -> Optional.empty()));
    }

    private ChunkReplicator.Peer serve(String name, dev.meshboot.node.http.BootContent content) throws Exception {
        HttpBootServer s = new HttpBootServer(content, DownloadRedirector.NONE, group);
        servers.add(s);
        int port = s.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).getPort();
        return new ChunkReplicator.Peer(name, URI.create("http://127.0.0.1:" + port));
    }

    private byte[] manifest() throws Exception {
        return Files.readAllBytes(origin.root().resolve("snapshots").resolve(id + ".json"));
    }

    private byte[] signature() throws Exception {
        return Files.readAllBytes(origin.root().resolve("snapshots").resolve(id + ".sig"));
    }

    /** A store holding some of the origin's chunks, with the manifest pending, as a member part-way through. */
    private SnapshotStore partial(String name, int from, int to) throws Exception {
        SnapshotStore s = SnapshotStore.open(dir.resolve(name));
        s.trust(key.getPublic());
        for (ChunkRef c : chunks.subList(from, to)) {
            s.chunks().put(c.id(), origin.chunks().readCompressed(c.id()));
        }
        new PendingSnapshots(s).put(id, manifest(), Optional.of(signature()));
        return s;
    }

    private ChunkReplicator replicator(SnapshotStore into) throws Exception {
        return new ChunkReplicator(into, HttpClient.newHttpClient(), new FetchPlanner(4, 16), Optional.empty(),
                ChunkReplicator.Listener.NONE, Duration.ofSeconds(3));
    }

    @Test
    void aFreshMember_pullsFromTwoPartialPeers_eachServingWhatItHas_andEndsWithAVerifiedSnapshot() throws Exception {
        int half = chunks.size() / 2;
        ChunkReplicator.Peer a = serve("a", partial("a", 0, half));
        ChunkReplicator.Peer b = serve("b", partial("b", half, chunks.size()));
        SnapshotStore fresh = SnapshotStore.open(dir.resolve("fresh"));
        fresh.trust(key.getPublic());

        ChunkReplicator.Report r = replicator(fresh).replicate(id, manifest(), signature(), List.of(a, b), List.of());

        assertEquals(half, r.fromPeer().get("a"));
        assertEquals(chunks.size() - half, r.fromPeer().get("b"));
        assertEquals(List.of(id), fresh.ids(), "committed once complete");
        new SnapshotReader(fresh, fresh.load(id, false, List.of())).verify();
        assertTrue(Files.notExists(fresh.root().resolve("pending").resolve(id + ".json")), "pending manifest left");
    }

    @Test
    void aPeerServingAWrongChunk_isAvoided_andTheChunkComesFromAnother() throws Exception {
        SnapshotStore bad = partial("bad", 0, chunks.size());
        ChunkRef victim = chunks.get(1);
        byte[] other = new byte[(int) victim.size()];
        new java.util.Random(5).nextBytes(other);
        Files.write(bad.chunks().pathOf(victim.id()), Zstd.compress(other, 3)); // a valid frame, other content
        ChunkReplicator.Peer b = serve("bad", LyingPeer.content(bad, dir)); // an honest server would not serve it
        ChunkReplicator.Peer g = serve("good", partial("good", 0, chunks.size()));
        SnapshotStore fresh = SnapshotStore.open(dir.resolve("fresh"));
        fresh.trust(key.getPublic());
        List<String> refused = new java.util.concurrent.CopyOnWriteArrayList<>();
        ChunkReplicator rep = new ChunkReplicator(fresh, HttpClient.newHttpClient(), new FetchPlanner(1, 1),
                Optional.empty(), new ChunkReplicator.Listener() {
                    @Override
                    public void fetched(String chunk, String peer, int bytes) {}

                    @Override
                    public void refused(String chunk, String peer, String why) {
                        refused.add(chunk + " " + peer);
                    }
                }, Duration.ofSeconds(3));

        // One request at a time, rarest first then in order: "bad" (first by name) is asked for chunk 0, then 1.
        ChunkReplicator.Report r = rep.replicate(id, manifest(), signature(), List.of(b, g), List.of());

        assertEquals(java.util.Set.of("bad"), r.avoided());
        assertEquals(List.of(victim.id() + " bad"), refused);
        new SnapshotReader(fresh, fresh.load(id, false, List.of())).verify();
    }

    @Test
    void aManifestSignedByAnUntrustedKey_isRefusedBeforeAnyChunkIsFetched() throws Exception {
        ChunkReplicator.Peer a = serve("a", partial("a", 0, chunks.size()));
        SnapshotStore fresh = SnapshotStore.open(dir.resolve("fresh"));
        fresh.trust(KeyFiles.generate().getPublic());
        assertThrows(SnapshotTrustException.class,
                () -> replicator(fresh).replicate(id, manifest(), signature(), List.of(a), List.of()));
        try (var s = Files.list(fresh.root().resolve("chunks"))) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void whenNoPeerHoldsAChunk_theRunStopsWithAClearError_andResumesLaterFromWhatItHas() throws Exception {
        int half = chunks.size() / 2;
        ChunkReplicator.Peer a = serve("a", partial("a", 0, half));
        SnapshotStore fresh = SnapshotStore.open(dir.resolve("fresh"));
        fresh.trust(key.getPublic());
        java.io.IOException e = assertThrows(java.io.IOException.class,
                () -> replicator(fresh).replicate(id, manifest(), signature(), List.of(a), List.of()));
        assertTrue(e.getMessage().contains("no peer holds " + (chunks.size() - half) + " missing chunks"), e.getMessage());
        assertEquals(List.of(), fresh.ids(), "never committed half");

        ChunkReplicator.Peer all = serve("all", partial("all", 0, chunks.size()));
        ChunkReplicator.Report r = replicator(fresh).replicate(id, manifest(), signature(), List.of(all), List.of());
        assertEquals(chunks.size() - half, r.chunks(), "only what it lacked");
        assertEquals(List.of(id), fresh.ids());
    }

    /**
     * A peer whose chunk answers wait until its gate opens, and which counts what it is asked: the JDK's HTTP server
     * (the agent's cannot be told to hold an answer back), serving what a member serves to peers.
     */
    private final class GatedPeer implements AutoCloseable {
        final CountDownLatch gate = new CountDownLatch(1);
        final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
        final AtomicInteger served = new AtomicInteger();
        final ChunkReplicator.Peer peer;
        private final HttpServer server;
        private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

        GatedPeer(String name, SnapshotStore store) throws Exception {
            PendingSnapshots pending = new PendingSnapshots(store);
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(handlers);
            server.createContext("/", ex -> {
                try (ex) {
                    String path = ex.getRequestURI().getPath();
                    byte[] body;
                    if (path.equals("/snapshots/" + id + "/held")) {
                        body = (pending.held(id).orElseThrow() + "\n").getBytes(StandardCharsets.US_ASCII);
                    } else if (path.startsWith("/chunks/")) {
                        String chunk = path.substring("/chunks/".length());
                        asked.computeIfAbsent(chunk, c -> new AtomicInteger()).incrementAndGet();
                        gate.await();
                        body = store.chunks().readCompressed(chunk);
                        served.incrementAndGet();
                    } else {
                        ex.sendResponseHeaders(404, -1);
                        return;
                    }
                    ex.sendResponseHeaders(200, body.length);
                    ex.getResponseBody().write(body);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            server.start();
            peer = new ChunkReplicator.Peer(name, URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
            gated.add(this);
        }

        int requests() {
            return asked.values().stream().mapToInt(AtomicInteger::get).sum();
        }

        @Override
        public void close() {
            if (closed.getAndSet(true)) {
                return;
            }
            gate.countDown();
            server.stop(0);
            handlers.shutdownNow();
        }
    }

    /** Counts what the replicator stores, per peer, and checks that no chunk is stored twice. */
    private static final class Counting implements ChunkReplicator.Listener {
        final Map<String, String> stored = new ConcurrentHashMap<>();
        final List<String> twice = new CopyOnWriteArrayList<>();

        @Override
        public void fetched(String chunk, String peer, int bytes) {
            if (stored.putIfAbsent(chunk, peer) != null) {
                twice.add(chunk);
            }
        }

        @Override
        public void refused(String chunk, String peer, String why) {}

        long from(String peer) {
            return stored.values().stream().filter(peer::equals).count();
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "no " + what + " within 30 s");
            Thread.sleep(20);
        }
    }

    @Test
    void aSlowPeer_doesNotStallTheChunksAFastPeerHolds_theyAllArriveWhileItIsStillSending() throws Exception {
        int half = chunks.size() / 2;
        GatedPeer slow = new GatedPeer("slow", partial("slow", 0, half));
        GatedPeer fast = new GatedPeer("fast", partial("fast", half, chunks.size()));
        fast.gate.countDown();
        SnapshotStore fresh = SnapshotStore.open(dir.resolve("fresh"));
        fresh.trust(key.getPublic());
        Counting seen = new Counting();
        ChunkReplicator rep = new ChunkReplicator(fresh, HttpClient.newHttpClient(), new FetchPlanner(2, 8),
                Optional.empty(), seen, Duration.ofSeconds(10));
        try (ExecutorService bg = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<ChunkReplicator.Report> run = bg.submit(
                    () -> rep.replicate(id, manifest(), signature(), List.of(slow.peer, fast.peer), List.of()));

            try {
                await("chunk from the fast peer", () -> seen.from("fast") == chunks.size() - half);
                assertEquals(0, slow.served.get(), "the slow peer has sent nothing yet");
                assertEquals(2, slow.requests(), "it holds its two slots, no more");
            } finally {
                slow.gate.countDown(); // also when it failed: the run must end for the executor to close
            }
            ChunkReplicator.Report r = run.get(30, TimeUnit.SECONDS);
            assertEquals(java.util.Map.of("slow", half, "fast", chunks.size() - half), r.fromPeer());
        }
        new SnapshotReader(fresh, fresh.load(id, false, List.of())).verify();
    }

    @Test
    void theEndgame_asksAnotherHolderForTheChunksStuckOnAPeerThatNeverAnswers_firstToArriveWins() throws Exception {
        GatedPeer stuck = new GatedPeer("a-stuck", partial("stuck", 0, chunks.size())); // first by name: asked first
        GatedPeer good = new GatedPeer("good", partial("good", 0, chunks.size()));
        good.gate.countDown();
        SnapshotStore fresh = SnapshotStore.open(dir.resolve("fresh"));
        fresh.trust(key.getPublic());
        Counting seen = new Counting();
        ChunkReplicator rep = new ChunkReplicator(fresh, HttpClient.newHttpClient(), new FetchPlanner(2, 8),
                Optional.empty(), seen, Duration.ofSeconds(10));
        try (ExecutorService bg = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<ChunkReplicator.Report> run = bg.submit(
                    () -> rep.replicate(id, manifest(), signature(), List.of(stuck.peer, good.peer), List.of()));

            // Well within the 60 s a request may take: only the endgame gets those two chunks elsewhere.
            ChunkReplicator.Report r;
            int servedByStuck;
            try {
                r = run.get(20, TimeUnit.SECONDS);
                servedByStuck = stuck.served.get();
            } finally {
                stuck.close(); // also when it failed: the run must end for the executor to close
            }
            assertEquals(java.util.Map.of("good", chunks.size()), r.fromPeer());
            assertEquals(0, servedByStuck, "nothing came from it");
            assertTrue(stuck.requests() >= 2, "it was asked: " + stuck.requests());
            assertEquals(List.of(), seen.twice);
        }
        new SnapshotReader(fresh, fresh.load(id, false, List.of())).verify();
    }

    @Test
    void withTwoPromptPeers_eachChunkIsStoredOnce_andAskedTwiceAtMostInTheEndgame() throws Exception {
        GatedPeer a = new GatedPeer("a", partial("a", 0, chunks.size()));
        GatedPeer b = new GatedPeer("b", partial("b", 0, chunks.size()));
        a.gate.countDown();
        b.gate.countDown();
        SnapshotStore fresh = SnapshotStore.open(dir.resolve("fresh"));
        fresh.trust(key.getPublic());
        Counting seen = new Counting();
        ChunkReplicator.Report r = new ChunkReplicator(fresh, HttpClient.newHttpClient(), new FetchPlanner(2, 4),
                Optional.empty(), seen, Duration.ofSeconds(10)).replicate(id, manifest(), signature(),
                        List.of(a.peer, b.peer), List.of());

        assertEquals(chunks.size(), r.chunks());
        assertEquals(chunks.size(), seen.stored.size());
        assertEquals(List.of(), seen.twice);
        for (ChunkRef c : chunks) {
            int n = a.asked.getOrDefault(c.id(), new AtomicInteger()).get() + b.asked.getOrDefault(c.id(),
                    new AtomicInteger()).get();
            assertTrue(n >= 1 && n <= 2, c.id() + " asked " + n + " times");
        }
        // Copies happen only once every missing chunk is in flight, so at most the 4 then in flight are copied.
        assertTrue(a.requests() + b.requests() <= chunks.size() + 4, (a.requests() + b.requests()) + " requests for "
                + chunks.size() + " chunks");
    }
}
