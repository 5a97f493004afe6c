package dev.meshboot.node.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.clusterconfig.Mac;
import dev.meshboot.images.build.BuildListener;
import dev.meshboot.images.build.SnapshotBuilder;
import dev.meshboot.images.read.SnapshotReader;
import dev.meshboot.images.sample.SampleTree;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.images.testing.Processes;
import dev.meshboot.images.testing.Tiers;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP boot server against curl: archives, ranges, HEAD, ETags, errors, and the zstd | tar contract. */
@Timeout(120)
class HttpBootServerIT {
    @TempDir
    static Path dir;

    private static EventLoopGroup group;
    private static HttpBootServer server;
    private static StoreBootContent content;
    private static String base;
    private static String id;
    private static byte[] core;
    private static byte[] kernel;
    private static dev.meshboot.bootstrap.artifacts.BootArtifacts.Blob blob;
    private static final List<String> reports = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Tiers.requireTool("curl");
        Tiers.requireTool("zstd");
        Tiers.requireTool("tar");
        SnapshotStore store = SnapshotStore.open(dir.resolve("store"));
        Path rootfs = new SampleTree(5).create(dir.resolve("rootfs"));
        id = new SnapshotBuilder(store, Clock.systemUTC(), BuildListener.NONE)
                .build(rootfs, SnapshotBuilder.Options.defaults("web").withChunkSize(64 << 10)).id();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new SnapshotReader(store, store.load(id, true, List.of())).cat("core", out);
        core = out.toByteArray();
        Path boot = Files.createDirectories(dir.resolve("boot"));
        kernel = new byte[3_000_000];
        new java.util.Random(3).nextBytes(kernel);
        Files.write(boot.resolve("vmlinuz"), kernel);
        Files.writeString(dir.resolve("secret"), "outside");
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        blob = new dev.meshboot.bootstrap.artifacts.ArtifactStore(store.root()).put(kernel);
        new dev.meshboot.bootstrap.artifacts.ArtifactStore(store.root()).commit(
                new dev.meshboot.bootstrap.artifacts.BootArtifacts(id, "6.1.0-test", java.util.Map.of("vmlinuz", blob)));
        content = new StoreBootContent(store, boot, mac -> mac.equals(Mac.parse("52:54:00:12:34:01"))
                ? Optional.of("#!ipxe\necho meshboot-marker\n") : Optional.empty(), new StoreBootContent.Nodes() {
                    @Override
                    public Optional<byte[]> configArchive(String node) {
                        return node.equals("vm-01") ? Optional.of("tar bytes".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                                : Optional.empty();
                    }

                    @Override
                    public boolean booted(String node, byte[] report, InetSocketAddress from) {
                        reports.add(node + " " + new String(report, java.nio.charset.StandardCharsets.UTF_8));
                        return node.equals("vm-01");
                    }
                });
        server = new HttpBootServer(content, DownloadRedirector.NONE, group);
        int port = server.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).getPort();
        base = "http://127.0.0.1:" + port;
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (group != null) {
            group.shutdownGracefully().syncUninterruptibly();
        }
    }

    private static Processes.Result curl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("curl", "-sS"));
        cmd.addAll(List.of(args));
        return Processes.run(dir, cmd);
    }

    private static Path download(String path, String... args) throws Exception {
        Path o = dir.resolve("dl-" + System.nanoTime());
        List<String> a = new java.util.ArrayList<>(List.of(args));
        a.addAll(List.of("-o", o.toString(), base + path));
        Processes.Result r = curl(a.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.stderr());
        return o;
    }

    private static String status(String... args) throws Exception {
        List<String> a = new java.util.ArrayList<>(List.of("-o", "/dev/null", "-w", "%{http_code}"));
        a.addAll(List.of(args));
        return curl(a.toArray(String[]::new)).stdout();
    }

    /**
     * Two busy servers whose storm redirectors point at each other: a chunk asked of one is redirected (302) to the
     * other with the mark, served there and not bounced back; busybox wget, /init's client, follows it.
     */
    @Test
    void aBusyServer_redirectsAChunkOnce_andBusyboxWgetFollowsIt() throws Exception {
        Tiers.requireTool("busybox");
        String chunk = dev.meshboot.node.mesh.PendingSnapshots.chunks(
                SnapshotStore.open(dir.resolve("store")).load(id, true, List.of()).manifest()).getFirst().id();
        String[] bases = new String[2];
        HttpBootServer[] busy = new HttpBootServer[2];
        try {
            for (int i = 0; i < 2; i++) {
                int other = 1 - i;
                java.util.function.Supplier<List<dev.meshboot.node.mesh.MemberAdvert>> members = () -> List.of(
                        new dev.meshboot.node.mesh.MemberAdvert(new dev.meshboot.node.mesh.MemberState("s" + other,
                                true, true, java.util.Set.of(id), false, Optional.empty()), bases[other], 0));
                busy[i] = new HttpBootServer(content, new dev.meshboot.node.mesh.StormRedirector("s" + i, 1, () -> 50,
                        members, c -> java.util.Set.of(id)), group);
                bases[i] = "http://127.0.0.1:"
                        + busy[i].start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).getPort();
            }
            Processes.Result head = curl("-sI", bases[0] + "/chunks/" + chunk);
            assertTrue(head.stdout().startsWith("HTTP/1.1 302"), head.stdout());
            assertTrue(head.stdout().contains("location: " + bases[1] + "/chunks/" + chunk + "?redirected=1"),
                    head.stdout());
            Path got = dir.resolve("redirected-chunk");
            Processes.Result wget = Processes.run(dir, List.of("busybox", "wget", "-q", "-O", got.toString(),
                    bases[0] + "/chunks/" + chunk));
            assertEquals(0, wget.exitCode(), wget.stderr());
            assertArrayEquals(Files.readAllBytes(download("/chunks/" + chunk)), Files.readAllBytes(got));
        } finally {
            for (HttpBootServer b : busy) {
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    @Test
    void archive_isItsStoredFramesBackToBack_andUntarsWithZstdAndTar() throws Exception {
        Path o = download("/snapshots/" + id + "/core");
        assertArrayEquals(core, Files.readAllBytes(o));
        Processes.Result r = Processes.bash(dir, "zstd -d < " + o + " | tar -t | grep -c usr/bin/tool-");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(Integer.parseInt(r.stdout().strip()) >= 24);
    }

    @Test
    void range_acrossChunks_returns206WithTheExactBytes() throws Exception {
        int from = 70_000;
        int to = 250_000; // spans several 64 KiB chunks
        Path o = download("/snapshots/" + id + "/core", "-r", from + "-" + to);
        assertArrayEquals(Arrays.copyOfRange(core, from, to + 1), Files.readAllBytes(o));
        assertEquals("206", status("-r", "0-9", base + "/snapshots/" + id + "/core"));
        Path tail = download("/snapshots/" + id + "/core", "-r", "-100");
        assertArrayEquals(Arrays.copyOfRange(core, core.length - 100, core.length), Files.readAllBytes(tail));
    }

    @Test
    void rangePastTheEnd_is416() throws Exception {
        assertEquals("416", status("-r", core.length + "-", base + "/snapshots/" + id + "/core"));
    }

    @Test
    void head_givesLengthAndEtag_withoutABody() throws Exception {
        Processes.Result r = curl("-I", base + "/snapshots/" + id + "/core");
        String headers = r.stdout().toLowerCase();
        assertTrue(headers.contains("content-length: " + core.length), headers);
        String sha = java.util.HexFormat.of().formatHex(dev.meshboot.images.store.ChunkStore.sha256().digest(core));
        assertTrue(headers.contains("etag: \"" + sha + "\""), headers);
        assertTrue(headers.contains("accept-ranges: bytes"), headers);
    }

    @Test
    void ifNoneMatch_withTheEtag_is304() throws Exception {
        String etag = "\"" + java.util.HexFormat.of().formatHex(
                dev.meshboot.images.store.ChunkStore.sha256().digest(core)) + "\"";
        assertEquals("304", status("-H", "If-None-Match: " + etag, base + "/snapshots/" + id + "/core"));
    }

    @Test
    void bootFilesScriptsAndChunks_areServed() throws Exception {
        assertArrayEquals(kernel, Files.readAllBytes(download("/boot/vmlinuz")));
        assertEquals("#!ipxe\necho meshboot-marker\n", Files.readString(download("/boot/52:54:00:12:34:01.ipxe")));
        String chunk;
        try (var s = Files.walk(dir.resolve("store/chunks"))) {
            chunk = s.filter(Files::isRegularFile).findFirst().orElseThrow().getFileName().toString().replace(".zst", "");
        }
        assertEquals("200", status(base + "/chunks/" + chunk));
    }

    @Test
    void errors_are404_405_andTraversalIsNotFound() throws Exception {
        assertEquals("404", status(base + "/snapshots/" + "0".repeat(64) + "/core"));
        assertEquals("404", status(base + "/boot/52:54:00:99:99:99.ipxe"));
        assertEquals("404", status(base + "/nothing"));
        assertEquals("405", status("-X", "PUT", base + "/boot/vmlinuz"));
        assertEquals("404", status("--path-as-is", base + "/boot/../secret"));
        assertEquals("404", status("--path-as-is", base + "/boot/%2e%2e/secret"));
    }

    @Test
    void oversizedHeaders_areRefused_andTheServerGoesOn() throws Exception {
        String code = status("-H", "X-Big: " + "a".repeat(20_000), base + "/boot/vmlinuz");
        assertTrue(code.startsWith("4"), "got " + code);
        assertEquals("200", status(base + "/boot/vmlinuz"));
    }

    @Test
    void bootArtifacts_areServedBySnapshotAndName_andBlobsByHash() throws Exception {
        assertArrayEquals(kernel, Files.readAllBytes(download("/snapshots/" + id + "/boot/vmlinuz")));
        assertArrayEquals(kernel, Files.readAllBytes(download("/blobs/" + blob.sha256())));
        assertEquals("404", status(base + "/snapshots/" + id + "/boot/initrd.img"));
        assertEquals("404", status(base + "/blobs/" + "0".repeat(64)));
    }

    @Test
    void configArchives_andBootReports_goToTheNodes() throws Exception {
        assertEquals("tar bytes", curl(base + "/nodes/vm-01/config.tar").stdout());
        assertEquals("404", status(base + "/nodes/vm-02/config.tar"));
        assertEquals("200", status("-X", "POST", "--data-binary", "{\"node\":\"vm-01\"}", base + "/nodes/vm-01/booted"));
        assertTrue(reports.contains("vm-01 {\"node\":\"vm-01\"}"), reports.toString());
        assertEquals("404", status("-X", "POST", "--data-binary", "x", base + "/nodes/vm-02/booted"));
        assertEquals("404", status("-X", "POST", "--data-binary", "x", base + "/boot/vmlinuz"));
    }

    @Test
    void anOversizedReport_isRefusedBeforeItIsBuffered_andTheServerGoesOn() throws Exception {
        Path big = dir.resolve("big.json");
        Files.write(big, new byte[HttpBootServer.MAX_REPORT + 1]);
        assertEquals("413", status("-X", "POST", "--data-binary", "@" + big, base + "/nodes/vm-01/booted"));
        assertEquals("200", status(base + "/boot/vmlinuz"));
    }
}
