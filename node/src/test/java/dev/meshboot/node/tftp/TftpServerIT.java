package dev.meshboot.node.tftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.images.testing.Processes;
import dev.meshboot.images.testing.Tiers;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The TFTP server against the real clients firmware-era tooling uses: curl, tftp-hpa and atftp, over loopback. */
@Timeout(120)
class TftpServerIT {
    @TempDir
    static Path base;

    private static Path root;

    @TempDir
    static Path downloads;

    private static EventLoopGroup group;
    private static TftpServer server;
    private static int port;
    private static byte[] boot;
    private static byte[] big;

    @BeforeAll
    static void start() throws Exception {
        for (String tool : List.of("curl", "tftp", "atftp")) {
            Tiers.requireTool(tool);
        }
        Random r = new Random(7);
        boot = new byte[1_100_000];
        r.nextBytes(boot);
        big = new byte[34_000_000]; // more than 65,535 blocks of 512 bytes: the block number must roll over
        r.nextBytes(big);
        root = Files.createDirectories(base.resolve("root"));
        Files.write(root.resolve("ipxe.efi"), boot);
        Files.write(root.resolve("rollover.img"), big);
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/script.ipxe"), "#!ipxe\necho hello\n");
        Files.writeString(base.resolve("secret"), "outside the root");
        Files.createSymbolicLink(root.resolve("escape-link"), Path.of("/etc/hostname"));
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        server = new TftpServer(TftpServer.Settings.defaults(root), group, Clock.systemUTC());
        port = server.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).getPort();
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

    private static Processes.Result run(String... cmd) throws Exception {
        return Processes.run(downloads, List.of(cmd));
    }

    private static Path out(String name) {
        return downloads.resolve(name + "-" + System.nanoTime());
    }

    @Test
    void curl_fetchesAFile_withDefaultAndLargeBlocks() throws Exception {
        for (String blksize : List.of("512", "1468")) {
            Path o = out("curl");
            Processes.Result r = run("curl", "-sS", "--tftp-blksize", blksize, "-o", o.toString(),
                    "tftp://127.0.0.1:" + port + "/ipxe.efi");
            assertEquals(0, r.exitCode(), r.stderr());
            assertArrayEquals(boot, Files.readAllBytes(o), "blksize " + blksize);
        }
    }

    @Test
    void curl_withoutOptions_getsLockStepRfc1350() throws Exception {
        Path o = out("curl-plain");
        Processes.Result r = run("curl", "-sS", "--tftp-no-options", "-o", o.toString(),
                "tftp://127.0.0.1:" + port + "/sub/script.ipxe");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("#!ipxe\necho hello\n", Files.readString(o));
    }

    @Test
    void tftpHpa_fetchesAFile() throws Exception {
        Path o = out("hpa");
        Processes.Result r = run("tftp", "-m", "binary", "127.0.0.1", Integer.toString(port), "-c", "get",
                "ipxe.efi", o.toString());
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertArrayEquals(boot, Files.readAllBytes(o));
    }

    @Test
    void atftp_withWindowsize_fetchesAFileOfMoreThan65535Blocks() throws Exception {
        Path o = out("atftp");
        Processes.Result r = run("atftp", "--option", "blksize 512", "--option", "windowsize 16", "-g", "-r",
                "rollover.img", "-l", o.toString(), "127.0.0.1", Integer.toString(port));
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertArrayEquals(big, Files.readAllBytes(o));
    }

    @Test
    void traversalAbsoluteAndSymlinkEscapes_areRefused() throws Exception {
        String secret = "../secret";
        for (String name : List.of(secret, "/etc/hostname", "escape-link", "sub/../" + secret)) {
            Path o = out("escape");
            Processes.Result r = run("atftp", "-g", "-r", name, "-l", o.toString(), "127.0.0.1", Integer.toString(port));
            assertNotEquals(0, r.exitCode(), name);
            assertTrue(!Files.exists(o) || Files.size(o) == 0, name + " was served");
        }
    }

    @Test
    void missingFile_isFileNotFound() throws Exception {
        Processes.Result r = run("curl", "-sS", "-o", out("missing").toString(), "tftp://127.0.0.1:" + port + "/nope");
        assertEquals(68, r.exitCode(), "curl's exit code for a TFTP 'file not found' error: " + r.stderr());
    }

    @Test
    void writeRequest_isRefused() throws Exception {
        Path local = Files.writeString(downloads.resolve("upload"), "data");
        Processes.Result r = run("atftp", "-p", "-l", local.toString(), "-r", "upload", "127.0.0.1",
                Integer.toString(port));
        assertNotEquals(0, r.exitCode());
        assertFalse(Files.exists(root.resolve("upload")));
    }

    @Test
    void garbage_isDropped_andTheNextRequestIsServed() throws Exception {
        try (DatagramSocket s = new DatagramSocket()) {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            for (byte[] junk : List.of(new byte[] {1}, new byte[] {0, 1, 'x'}, new byte[600], new byte[] {0, 42, 0, 0})) {
                s.send(new DatagramPacket(junk, junk.length, to));
            }
        }
        Path o = out("after-garbage");
        assertEquals(0, run("curl", "-sS", "-o", o.toString(), "tftp://127.0.0.1:" + port + "/sub/script.ipxe").exitCode());
        assertEquals("#!ipxe\necho hello\n", Files.readString(o));
    }

    @Test
    void manyConcurrentTransfers_allArriveIntact() throws Exception {
        List<CompletableFuture<Path>> all = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Path o = out("parallel-" + i);
            all.add(CompletableFuture.supplyAsync(() -> {
                try {
                    Processes.Result r = run("curl", "-sS", "--tftp-blksize", "1468", "-o", o.toString(),
                            "tftp://127.0.0.1:" + port + "/ipxe.efi");
                    assertEquals(0, r.exitCode(), r.stderr());
                    return o;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<Path> f : all) {
            assertArrayEquals(boot, Files.readAllBytes(f.get()));
        }
    }

    @Test
    void tsize_reportsTheFileSize() throws Exception {
        // A raw RRQ with tsize=0 gets an OACK carrying the real size (RFC 2349).
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(5000);
            byte[] rrq = TftpCodec.encode(new TftpPacket.Request(false, "ipxe.efi", "octet", Map.of("tsize", "0")));
            s.send(new DatagramPacket(rrq, rrq.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
            DatagramPacket reply = new DatagramPacket(new byte[1024], 1024);
            s.receive(reply);
            TftpPacket p = TftpCodec.decode(reply.getData(), 0, reply.getLength());
            assertEquals(Map.of("tsize", Integer.toString(boot.length)), ((TftpPacket.OptionAck) p).options());
            assertNotEquals(port, reply.getPort(), "a transfer answers from its own port (RFC 1350 TID)");
            byte[] err = TftpCodec.encode(new TftpPacket.Error(0, "done"));
            s.send(new DatagramPacket(err, err.length, reply.getSocketAddress()));
        }
    }
}
