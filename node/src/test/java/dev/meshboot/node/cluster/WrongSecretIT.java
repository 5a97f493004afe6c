package dev.meshboot.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A process with another secret finds the members over TCP but can neither join nor read what they write. */
class WrongSecretIT {
    @TempDir
    Path dir;

    private final List<TestMember> members = new ArrayList<>();

    @AfterEach
    void stop() {
        members.reversed().forEach(TestMember::close);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aMemberWithAnotherSecret_neverAppearsInTheViewAndReadsNothing() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, lo)) {
                ports.add(s.getLocalPort());
            }
        }
        List<InetSocketAddress> peers = ports.stream().map(p -> new InetSocketAddress(lo, p)).toList();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 3; i++) {
            ChannelSettings s = new ChannelSettings("secret-test", "good" + i, ChannelSettings.Transport.TCP, lo,
                    ports.get(i), new InetSocketAddress(lo, 0), peers, ChannelSettings.Timing.DEFAULTS);
            TestMember m = TestMember.start(dir.resolve("good" + i), s, TestMember.SECRET);
            m.channel.onMembership(v -> seen.addAll(v.names()));
            members.add(m);
        }
        Await.until(Duration.ofSeconds(20), () -> members.stream().allMatch(m -> m.viewSize() == 3),
                () -> members.stream().map(TestMember::view).toList().toString());

        ChannelSettings intruderSettings = new ChannelSettings("secret-test", "intruder", ChannelSettings.Transport.TCP,
                lo, ports.get(3), new InetSocketAddress(lo, 0), peers, ChannelSettings.Timing.DEFAULTS);
        TestMember intruder = TestMember.start(dir.resolve("intruder"), intruderSettings, ClusterSecret.of(
                "another secret of at least 32 bytes!".getBytes(StandardCharsets.UTF_8)));
        members.add(intruder);
        members.getFirst().write("Node", "secret-doc", "{}");
        // Long enough for several merge attempts (MERGE3 every 1-3 s) and heartbeats to be refused.
        Thread.sleep(8000);
        assertEquals(List.of("intruder"), intruder.view());
        assertEquals(0, intruder.store.versions().size(), "the intruder read a replicated write");
        for (TestMember m : members.subList(0, 3)) {
            assertEquals(3, m.viewSize(), m.name + " " + m.view());
            assertEquals(1, m.store.versions().size());
        }
        assertTrue(seen.stream().noneMatch(n -> n.equals("intruder")), "seen: " + seen);
    }
}
