package dev.meshboot.node.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.clusterconfig.store.Conflict;
import dev.meshboot.clusterconfig.store.DocumentKey;
import dev.meshboot.clusterconfig.store.VersionedDocument;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Five real members in one JVM over JGroups' loopback transport, each with its store on disk. */
class ReplicationIT {
    @TempDir
    Path dir;

    private final List<TestMember> members = new ArrayList<>();

    @AfterEach
    void stop() {
        members.reversed().forEach(TestMember::close);
    }

    private void startFive(String cluster) throws Exception {
        for (int i = 1; i <= 5; i++) {
            members.add(TestMember.start(dir.resolve("m" + i), ChannelSettings.loopback(cluster, "m" + i),
                    TestMember.SECRET));
        }
        Await.until(Duration.ofSeconds(30), () -> members.stream().allMatch(m -> m.viewSize() == 5),
                () -> members.stream().map(TestMember::view).toList().toString());
    }

    private static String state(List<TestMember> ms) {
        return ms.stream().map(m -> m.name + "=" + m.store.versions().size() + " " + m.view()).toList().toString();
    }

    private static boolean identical(List<TestMember> ms) {
        byte[] first = ms.getFirst().store.snapshot();
        return ms.stream().allMatch(m -> java.util.Arrays.equals(first, m.store.snapshot()));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aWriteOnAnyMember_isReadOnAllFive() throws Exception {
        startFive("write-anywhere");
        for (TestMember writer : members) {
            writer.write("Node", "from-" + writer.name, "{\"by\":\"" + writer.name + "\"}");
        }
        Await.until(Duration.ofSeconds(10), () -> members.stream().allMatch(m -> m.store.versions().size() == 5),
                () -> state(members));
        for (TestMember m : members) {
            for (TestMember writer : members) {
                VersionedDocument v = m.store.get(new DocumentKey("Node", "from-" + writer.name)).orElseThrow();
                assertEquals("{\"by\":\"" + writer.name + "\"}", v.bodyText(), m.name);
                assertEquals(writer.name, v.origin());
            }
        }
        assertTrue(identical(members));
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void partitionTwoThree_writesOnBothSides_convergeAfterMerge_withTheLoserLogged() throws Exception {
        startFive("partition");
        members.getFirst().write("Cluster", "shared", "{\"v\":\"before\"}");
        Await.until(Duration.ofSeconds(10), () -> members.stream().allMatch(m -> m.store.versions().size() == 1),
                () -> state(members));

        List<TestMember> left = members.subList(0, 2);
        List<TestMember> right = members.subList(2, 5);
        for (TestMember m : left) {
            m.cutFrom(right);
        }
        for (TestMember m : right) {
            m.cutFrom(left);
        }
        Await.until(Duration.ofSeconds(30), () -> left.stream().allMatch(m -> m.viewSize() == 2)
                && right.stream().allMatch(m -> m.viewSize() == 3), () -> state(members));

        // Both sides write the same document; the right side writes later, so it wins by the clock.
        left.get(1).write("Cluster", "shared", "{\"v\":\"left\"}");
        left.getFirst().write("Node", "only-left", "{}");
        Thread.sleep(5); // a later wall-clock millisecond for the right side's write
        right.get(2).write("Cluster", "shared", "{\"v\":\"right\"}");
        right.getFirst().write("Node", "only-right", "{}");
        Await.until(Duration.ofSeconds(10), () -> left.stream().allMatch(m -> m.store.versions().size() == 2)
                && right.stream().allMatch(m -> m.store.versions().size() == 2), () -> state(members));

        long healed = System.nanoTime();
        members.forEach(TestMember::heal);
        Await.until(Duration.ofSeconds(30), () -> members.stream().allMatch(m -> m.viewSize() == 5),
                () -> state(members));
        long merged = System.nanoTime();
        Await.until(Duration.ofSeconds(30), () -> identical(members), () -> state(members));
        long converged = System.nanoTime();
        System.out.printf("FIGURE partition 2|3: merge view %d ms after healing, identical stores %d ms after the"
                + " merge view (%d ms after healing)%n", (merged - healed) / 1_000_000,
                (converged - merged) / 1_000_000, (converged - healed) / 1_000_000);

        for (TestMember m : members) {
            assertEquals(3, m.store.versions().size(), m.name);
            assertEquals("{\"v\":\"right\"}", m.store.get(new DocumentKey("Cluster", "shared")).orElseThrow()
                    .bodyText(), m.name);
        }
        for (TestMember m : left) {
            List<Conflict> c = m.store.conflicts();
            assertEquals(1, c.size(), m.name + " " + c);
            assertEquals("{\"v\":\"left\"}", c.getFirst().loser().bodyText());
            assertEquals("{\"v\":\"right\"}", c.getFirst().winner().bodyText());
        }
        assertArrayEquals(members.getFirst().store.digest().toBytes(), members.getLast().store.digest().toBytes());
    }
}
