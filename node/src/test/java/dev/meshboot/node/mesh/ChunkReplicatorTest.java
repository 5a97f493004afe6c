package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
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
import java.util.List;
import java.util.Optional;
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
}
