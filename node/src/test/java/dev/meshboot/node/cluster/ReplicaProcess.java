package dev.meshboot.node.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The test's handle on a {@link ReplicaMain} child JVM. */
final class ReplicaProcess implements AutoCloseable {
    record State(int view, int versions, String hash) {}

    final String name;
    private final Process process;
    private final PrintWriter in;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ReplicaProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.in = new PrintWriter(process.outputWriter(StandardCharsets.UTF_8), true);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (IOException e) {
                // the process died
            }
        }, "replica-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    static ReplicaProcess start(Path dir, String name, int port, List<Integer> peers, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true",
                "-cp", System.getProperty("java.class.path"), ReplicaMain.class.getName(), dir.toString(), name,
                Integer.toString(port)));
        peers.forEach(p -> cmd.add(Integer.toString(p)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ReplicaProcess r = new ReplicaProcess(name, p);
        r.expect("READY", 60);
        return r;
    }

    /** A member on UDP multicast, in network namespace {@code ns}. */
    static ReplicaProcess startMulticast(Path dir, String name, String ns, String group, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true",
                "-cp", System.getProperty("java.class.path"), ReplicaMain.class.getName(), dir.toString(), name, "udp",
                group));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ReplicaProcess r = new ReplicaProcess(name, p);
        r.expect("READY", 60);
        return r;
    }

    private String expect(String prefix, int seconds) throws Exception {
        String l = lines.poll(seconds, TimeUnit.SECONDS);
        if (l == null || !l.startsWith(prefix)) {
            throw new AssertionError(name + ": expected " + prefix + ", got " + l + " (alive: " + process.isAlive() + ")");
        }
        return l;
    }

    void write(String kind, String docName, String json) throws Exception {
        in.println("write " + kind + " " + docName + " " + json);
        expect("OK", 30);
    }

    State state() throws Exception {
        in.println("state");
        String[] w = expect("STATE", 30).split(" ");
        return new State(Integer.parseInt(w[1]), Integer.parseInt(w[2]), w[3]);
    }

    /** SIGKILL: no shutdown hook, no goodbye to the cluster. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
