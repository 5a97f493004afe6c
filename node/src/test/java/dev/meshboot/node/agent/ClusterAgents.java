package dev.meshboot.node.agent;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/**
 * Agents of one cluster in this JVM, over TCP on 127.0.0.1, each in its own directory {@code aN} with its store,
 * config store and admin socket ({@code aN/admin.sock}): the harness of the in-process cluster tests. The first
 * agent seeds the documents.
 */
public final class ClusterAgents implements AutoCloseable {
    public final List<Agent> agents = new ArrayList<>();
    private final Path dir;

    public ClusterAgents(Path dir, String documents) throws Exception {
        this.dir = dir;
        Files.writeString(dir.resolve("cluster.yaml"), documents);
        Path secret = Files.writeString(dir.resolve("cluster.secret"), "a secret for the agent tests, 32+ bytes\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    }

    /** Free TCP (or, with {@code udp}, UDP) ports on the loopback address. */
    public static List<Integer> freePorts(int n, boolean udp) throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (udp) {
                try (java.net.DatagramSocket d = new java.net.DatagramSocket(0)) {
                    ports.add(d.getLocalPort());
                }
            } else {
                try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    ports.add(s.getLocalPort());
                }
            }
        }
        return ports;
    }

    /**
     * Starts {@code n} agents named a0..a(n-1) in cluster {@code name}.
     *
     * @param ports each agent's {@code ports:} mapping, e.g. {@code {dhcp: 0, tftp: 0, http: 0}}
     */
    public ClusterAgents start(String name, int n, IntFunction<String> ports) throws Exception {
        List<Integer> channelPorts = freePorts(n, false);
        String peers = channelPorts.stream().map(p -> "127.0.0.1:" + p).toList().toString();
        for (int i = 0; i < n; i++) {
            Path home = Files.createDirectories(dir.resolve("a" + i));
            Files.createDirectories(home.resolve("tftp"));
            Files.createDirectories(home.resolve("boot"));
            Path settings = Files.writeString(home.resolve("agent.yaml"), (i == 0 ? "documents: [../cluster.yaml]\n" : "")
                    + """
                    interfaces: [{device: lo, network: prov, address: 127.0.0.1}]
                    ports: %s
                    tftpRoot: tftp
                    bootDir: boot
                    store: snapshots
                    leases: leases.json
                    installs: installs.json
                    configStore: config
                    admin: {socket: admin.sock}
                    cluster:
                      name: %s
                      member: a%d
                      secret: ../cluster.secret
                      transport: tcp
                      bind: 127.0.0.1
                      port: %d
                      peers: %s
                    """.formatted(ports.apply(i), name, i, channelPorts.get(i), peers));
            agents.add(Agent.start(AgentConfig.read(settings), Clock.systemUTC()));
        }
        return this;
    }

    public Path admin(int i) {
        return dir.resolve("a" + i).resolve("admin.sock");
    }

    public static void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what);
            }
            Thread.sleep(50); // polling agents that change on their own threads; there is no event to wait on
        }
    }

    @Override
    public void close() {
        agents.reversed().forEach(Agent::close);
    }
}
