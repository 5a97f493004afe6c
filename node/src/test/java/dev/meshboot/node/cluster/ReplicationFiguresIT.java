package dev.meshboot.node.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.clusterconfig.CanonicalDocument;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The closing note's figures for 10,000 node documents: the store's size on disk, and what anti-entropy sends to
 * bring an empty member, then a member that missed ten writes, up to date. Prints lines starting with FIGURE.
 */
class ReplicationFiguresIT {
    private static final int NODES = 10_000;

    @TempDir
    Path dir;

    private static long sizeOnDisk(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static long antiEntropyBytes(TestMember... ms) {
        long sum = 0;
        for (TestMember m : ms) {
            for (MessageKind k : new MessageKind[] {MessageKind.STORE_DIGEST, MessageKind.STORE_SUMMARIES,
                    MessageKind.STORE_PUSH}) {
                sum += m.channel.bytesSent(k);
            }
        }
        return sum;
    }

    private static String node(int i) {
        return String.format("{\"kind\":\"Node\",\"name\":\"node-%05d\",\"spec\":{\"address\":\"10.%d.%d.%d\","
                + "\"mac\":\"52:54:00:%02x:%02x:%02x\",\"profile\":\"compute\"}}", i, i >> 16 & 255, i >> 8 & 255,
                i & 255, i >> 16 & 255, i >> 8 & 255, i & 255);
    }

    @Test
    @Timeout(value = 170, unit = TimeUnit.SECONDS)
    void tenThousandNodes_sizeOnDisk_andCatchUpTraffic() throws Exception {
        TestMember a = TestMember.start(dir.resolve("a"), ChannelSettings.loopback("figures", "a"), TestMember.SECRET);
        TestMember b = null;
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < NODES; i++) {
                a.store.write(new CanonicalDocument("Node", String.format("node-%05d", i),
                        node(i).getBytes(StandardCharsets.UTF_8))); // locally: nobody else to tell yet
            }
            long written = System.nanoTime();
            long disk = sizeOnDisk(dir.resolve("a"));
            System.out.printf("FIGURE store: %d node documents in %d files, %.1f MiB of content (%d bytes/document;"
                    + " allocated on disk: at least one block per file), written with fsync in %d ms%n", NODES,
                    NODES, disk / 1048576.0, disk / NODES, (written - t0) / 1_000_000);

            b = TestMember.start(dir.resolve("b"), ChannelSettings.loopback("figures", "b"), TestMember.SECRET);
            long joined = System.nanoTime();
            TestMember bb = b;
            Await.until(Duration.ofSeconds(120), () -> bb.store.versions().size() == NODES,
                    () -> bb.store.versions().size() + " versions at b");
            long caughtUp = System.nanoTime();
            long full = antiEntropyBytes(a, b);
            System.out.printf("FIGURE catch-up of an empty member: %.1f MiB of anti-entropy messages in %d ms%n",
                    full / 1048576.0, (caughtUp - joined) / 1_000_000);
            assertArrayEquals(a.store.digest().toBytes(), b.store.digest().toBytes());
            assertEquals(0, b.channel.bytesSent(MessageKind.STORE_VERSIONS), "a joiner's catch-up is not relayed");

            b.close();
            for (int i = 0; i < 10; i++) {
                a.write("Node", String.format("node-%05d", i * 997), node(i * 997).replace("compute", "storage"));
            }
            long beforeRejoin = antiEntropyBytes(a);
            b = TestMember.start(dir.resolve("b"), ChannelSettings.loopback("figures", "b"), TestMember.SECRET);
            TestMember back = b;
            Await.until(Duration.ofSeconds(60), () -> java.util.Arrays.equals(a.store.digest().toBytes(),
                    back.store.digest().toBytes()), () -> "b not caught up");
            long partial = antiEntropyBytes(a) - beforeRejoin + antiEntropyBytes(b);
            System.out.printf("FIGURE catch-up of a member that missed 10 writes: %d bytes of anti-entropy messages"
                    + " (%.2f%% of the full catch-up)%n", partial, 100.0 * partial / full);
            assertTrue(partial < full / 20, "a partial catch-up sends a fraction: " + partial + " of " + full);
        } finally {
            if (b != null) {
                b.close();
            }
            a.close();
        }
    }
}
