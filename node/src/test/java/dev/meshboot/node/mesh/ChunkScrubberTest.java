package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
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
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scrub against real files and real peers: a member's store with a chunk damaged or lost on disk, and peers
 * served by the HTTP server the agent runs.
 */
@Timeout(120)
class ChunkScrubberTest {
    @TempDir
    Path dir;

    private EventLoopGroup group;
    private final List<HttpBootServer> servers = new ArrayList<>();
    private final Map<String, String> peers = new LinkedHashMap<>();
    private KeyPair key;
    private SnapshotStore origin;
    private String id;
    private List<ChunkRef> chunks;
    private final List<Long> paced = new ArrayList<>();

    @BeforeEach
    void snapshot() throws Exception {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        key = KeyFiles.generate();
        origin = SnapshotStore.open(dir.resolve("origin"));
        id = new SnapshotBuilder(origin, Clock.systemUTC(), BuildListener.NONE).build(
                new SampleTree(11).create(dir.resolve("rootfs")),
                SnapshotBuilder.Options.defaults("t").withChunkSize(16 << 10).withKey(key)).id();
        origin.trust(key.getPublic());
        chunks = PendingSnapshots.chunks(origin.load(id, false, List.of()).manifest());
    }

    @AfterEach
    void stop() {
        servers.forEach(HttpBootServer::close);
        group.shutdownGracefully().syncUninterruptibly();
    }

    /** A copy of the origin's store: the snapshot committed, every chunk present. */
    private SnapshotStore copy(String name) throws Exception {
        Path to = dir.resolve(name);
        try (var files = Files.walk(origin.root())) {
            for (Path p : files.toList()) {
                Path t = to.resolve(origin.root().relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return SnapshotStore.open(to);
    }

    private void serve(String name, SnapshotStore store) throws Exception {
        serve(name, new StoreBootContent(store, dir, mac -> Optional.empty()));
    }

    private void serve(String name, dev.meshboot.node.http.BootContent content) throws Exception {
        HttpBootServer s = new HttpBootServer(content, DownloadRedirector.NONE, group);
        servers.add(s);
        int port = s.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).getPort();
        peers.put(name, "http://127.0.0.1:" + port);
    }

    private ChunkScrubber scrubber(SnapshotStore store) {
        RateLimiter pace = new RateLimiter(1L << 40, System::nanoTime, n -> {});
        return new ChunkScrubber(store, new PeerChunkSource(HttpClient.newHttpClient(), () -> peers), pace,
                Clock.systemUTC());
    }

    private static void damage(Path f) throws Exception {
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 0x01; // one bit
        Files.write(f, b);
    }

    @Test
    void aHealthyStore_isReadWhole_andNothingIsTouched() throws Exception {
        SnapshotStore m = copy("m");

        ChunkScrubber.Report r = scrubber(m).scrub();

        assertEquals(chunks.size(), r.checked());
        assertEquals(chunks.stream().mapToLong(ChunkRef::csize).sum(), r.bytes());
        assertEquals(List.of(0, 0, 0, 0), List.of(r.corrupt(), r.missing(), r.repaired(), r.unrepairable()));
        assertFalse(Files.exists(m.root().resolve("quarantine")));
    }

    @Test
    void aDamagedChunk_isQuarantined_andRepairedFromAPeer_andTheSnapshotVerifiesAgain() throws Exception {
        SnapshotStore m = copy("m");
        serve("peer", copy("peer"));
        ChunkRef victim = chunks.get(3);
        Path file = m.chunks().pathOf(victim.id());
        damage(file);
        byte[] damaged = Files.readAllBytes(file);

        ChunkScrubber.Report r = scrubber(m).scrub();

        assertEquals(1, r.corrupt());
        assertEquals(1, r.repaired());
        assertEquals(0, r.unrepairable());
        assertArrayEquals(damaged, Files.readAllBytes(m.root().resolve("quarantine").resolve(victim.id() + ".zst")));
        assertArrayEquals(origin.chunks().readCompressed(victim.id()), Files.readAllBytes(file));
        new SnapshotReader(m, m.load(id, false, List.of())).verify();
    }

    @Test
    void aLostChunk_isFetchedAgain_fromThePeerThatHoldsIt() throws Exception {
        SnapshotStore m = copy("m");
        SnapshotStore without = copy("without");
        ChunkRef victim = chunks.getLast();
        without.chunks().remove(victim.id());
        serve("a-without", without); // asked first, answers 404
        serve("b-with", copy("with"));
        m.chunks().remove(victim.id());

        ChunkScrubber.Report r = scrubber(m).scrub();

        assertEquals(1, r.missing());
        assertEquals(1, r.repaired());
        assertEquals(chunks.size() - 1, r.checked());
        new SnapshotReader(m, m.load(id, false, List.of())).verify();
    }

    @Test
    void aPeerServingBadBytes_isAvoided_andTheRepairComesFromAnother() throws Exception {
        SnapshotStore m = copy("m");
        SnapshotStore liar = copy("liar");
        ChunkRef victim = chunks.get(2);
        byte[] other = new byte[(int) victim.size()];
        new java.util.Random(3).nextBytes(other);
        Path lie = liar.chunks().pathOf(victim.id());
        Files.write(lie, Zstd.compress(other, 3));
        serve("a-liar", LyingPeer.content(liar, dir));
        serve("b-honest", copy("honest"));
        damage(m.chunks().pathOf(victim.id()));

        ChunkScrubber.Report r = scrubber(m).scrub();

        assertEquals(1, r.repaired());
        assertEquals(java.util.Set.of("a-liar"), r.avoided());
        assertArrayEquals(origin.chunks().readCompressed(victim.id()), m.chunks().readCompressed(victim.id()));
    }

    @Test
    void anHonestPeerWithTheSameDamage_answers404_andIsNotAvoided() throws Exception {
        SnapshotStore m = copy("m");
        SnapshotStore alsoDamaged = copy("also-damaged");
        ChunkRef victim = chunks.get(2);
        damage(alsoDamaged.chunks().pathOf(victim.id()));
        serve("a-damaged", alsoDamaged);
        serve("b-good", copy("good"));
        damage(m.chunks().pathOf(victim.id()));

        ChunkScrubber.Report r = scrubber(m).scrub();

        assertEquals(1, r.repaired());
        assertEquals(java.util.Set.of(), r.avoided(), "its server checked the chunk and would not serve it");
        assertFalse(alsoDamaged.chunks().contains(victim.id()), "the peer's server quarantined its damaged copy");
    }

    @Test
    void withNoPeerHoldingIt_theChunkIsUnrepairable_andStaysQuarantined_neverServed() throws Exception {
        SnapshotStore m = copy("m");
        ChunkRef victim = chunks.get(1);
        damage(m.chunks().pathOf(victim.id()));
        serve("self", m); // the damaged member's own server

        ChunkScrubber.Report r = scrubber(m).scrub();

        assertEquals(1, r.corrupt());
        assertEquals(1, r.unrepairable());
        assertEquals(List.of(victim.id()), r.unrepairableChunks());
        assertFalse(m.chunks().contains(victim.id()));
        java.net.http.HttpResponse<byte[]> got = HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(peers.get("self") + "/chunks/" + victim.id())).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(404, got.statusCode());
    }

    @Test
    void aPendingSnapshotsAbsentChunks_areNotMissing_butItsDamagedOnes_areRepaired() throws Exception {
        SnapshotStore m = SnapshotStore.open(dir.resolve("m"));
        for (ChunkRef c : chunks.subList(0, 4)) {
            m.chunks().put(c.id(), origin.chunks().readCompressed(c.id()));
        }
        new PendingSnapshots(m).put(id, Files.readAllBytes(origin.root().resolve("snapshots").resolve(id + ".json")),
                Optional.empty());
        serve("peer", copy("peer"));
        damage(m.chunks().pathOf(chunks.get(0).id()));

        ChunkScrubber.Report r = scrubber(m).scrub();

        assertEquals(4, r.checked());
        assertEquals(0, r.missing());
        assertEquals(1, r.corrupt());
        assertEquals(1, r.repaired());
    }

    @Test
    void reading_isPaced_byTheBytesRead() throws Exception {
        SnapshotStore m = copy("m");
        ChunkScrubber s = new ChunkScrubber(m, ChunkScrubber.ChunkSource.NONE,
                new RateLimiter(10_000, () -> 0L, paced::add), Clock.systemUTC());

        s.scrub();

        // the clock never moves: after the first second's tokens, every byte read waits 1/10,000 s
        long total = chunks.stream().mapToLong(ChunkRef::csize).sum();
        long waited = paced.isEmpty() ? 0 : paced.getLast();
        assertEquals((total - 10_000) * 100_000, waited, 100_000.0 * 2);
    }
}
