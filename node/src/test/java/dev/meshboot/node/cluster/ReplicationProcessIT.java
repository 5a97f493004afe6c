package dev.meshboot.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Five members in five JVMs over TCP on 127.0.0.1: four killed with SIGKILL, the survivor serves, they return. */
class ReplicationProcessIT {
    @TempDir
    Path dir;

    private final List<ReplicaProcess> replicas = new ArrayList<>();

    @AfterEach
    void stop() {
        for (ReplicaProcess r : replicas) {
            r.close();
        }
    }

    private static List<Integer> freePorts(int n) throws Exception {
        List<ServerSocket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sockets.add(new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()));
        }
        List<Integer> ports = sockets.stream().map(ServerSocket::getLocalPort).toList();
        for (ServerSocket s : sockets) {
            s.close();
        }
        return ports;
    }

    private void awaitAll(List<ReplicaProcess> rs, int view, int versions) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        List<ReplicaProcess.State> states = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            states.clear();
            for (ReplicaProcess r : rs) {
                states.add(r.state());
            }
            if (states.stream().allMatch(s -> s.view() == view && s.versions() == versions
                    && s.hash().equals(states.getFirst().hash()))) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not converged to view " + view + " and " + versions + " versions: " + states);
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void fourKilled_survivorKeepsEverythingAndWrites_theFourReturnAndCatchUp() throws Exception {
        List<Integer> ports = freePorts(5);
        Path log = dir.resolve("replicas.log");
        for (int i = 0; i < 5; i++) {
            replicas.add(ReplicaProcess.start(dir.resolve("r" + i), "r" + i, ports.get(i), ports, log));
        }
        awaitAll(replicas, 5, 0);
        for (int i = 0; i < 5; i++) {
            replicas.get(i).write("Node", "before-" + i, "{\"i\":" + i + "}");
        }
        awaitAll(replicas, 5, 5);

        ReplicaProcess survivor = replicas.get(2);
        for (ReplicaProcess r : replicas) {
            if (r != survivor) {
                r.kill();
            }
        }
        awaitAll(List.of(survivor), 1, 5);
        survivor.write("Node", "during", "{\"alone\":true}");
        survivor.write("Node", "before-0", "{\"i\":\"changed while alone\"}");
        assertEquals(6, survivor.state().versions());

        for (int i = 0; i < 5; i++) {
            if (replicas.get(i) != survivor) {
                replicas.set(i, ReplicaProcess.start(dir.resolve("r" + i), "r" + i, ports.get(i), ports, log));
            }
        }
        awaitAll(replicas, 5, 6);
        replicas.getFirst().write("Node", "after", "{}");
        awaitAll(replicas, 5, 7);
    }

    /**
     * The default transport: UDP with IP multicast discovery, no peer list. Three JVMs in a network namespace whose
     * loopback carries multicast (the host's own interfaces are never used) find each other and replicate.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void udpMulticast_membersFindEachOtherWithNoPeerList_andReplicate() throws Exception {
        dev.meshboot.images.testing.Tiers.requireRoot();
        dev.meshboot.images.testing.Tiers.requireTool("ip");
        String ns = "mbm" + ProcessHandle.current().pid() % 100000;
        dev.meshboot.images.testing.Processes.bash(dir, "ip netns del " + ns + " 2>/dev/null; true");
        dev.meshboot.images.testing.Processes.must(dir, "ip netns add " + ns + " && ip -n " + ns + " link set lo up"
                + " && ip -n " + ns + " link set lo multicast on && ip -n " + ns + " route add 224.0.0.0/4 dev lo");
        try {
            Path log = dir.resolve("multicast.log");
            for (int i = 0; i < 3; i++) {
                replicas.add(ReplicaProcess.startMulticast(dir.resolve("m" + i), "m" + i, ns, "239.9.9.9:45599", log));
            }
            awaitAll(replicas, 3, 0);
            replicas.get(1).write("Node", "over-multicast", "{\"ok\":true}");
            awaitAll(replicas, 3, 1);
        } finally {
            for (ReplicaProcess r : replicas) {
                r.kill();
            }
            replicas.clear();
            dev.meshboot.images.testing.Processes.bash(dir, "ip netns del " + ns);
        }
    }
}
