package dev.meshboot.node.demo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The demo from start to verdict: plans the site, builds the snapshot, starts the mesh, publishes, waits for every
 * agent to hold the snapshot, powers the machines on one after another, kills the senior active boot server once
 * {@value #KILL_AFTER_BOOTED} machines have booted (the rest are then mid-boot; fewer with fewer machines), and
 * waits for every machine and for another agent to take over. Then the summary: who served what to whom, and
 * whether any machine was lost.
 */
public final class DemoRun {
    /** Settings of one run. */
    public record Options(Path work, int machines, Optional<Path> artifacts, boolean keepRunning) {}

    static final int AGENTS = 3;
    static final int KILL_AFTER_BOOTED = 3;
    private static final Duration POWER_ON_EVERY = Duration.ofMillis(400);
    private static final Duration MESH_READY = Duration.ofSeconds(60);
    private static final Duration MACHINES_DONE = Duration.ofSeconds(120);
    /** Failure detection (about 2 s here) and an election round, with room to spare on a loaded machine. */
    private static final Duration TAKE_OVER = Duration.ofSeconds(20);

    private final Options options;
    private final Timeline timeline;
    private final Clock clock;
    private final Pause pause;

    /**
     * @param pause how simulated time passes (firmware start, kernel start, reboot waits)
     */
    public DemoRun(Options options, Timeline timeline, Clock clock, Pause pause) {
        this.options = options;
        this.timeline = timeline;
        this.clock = clock;
        this.pause = pause;
    }

    /** Runs the demo; true when every machine booted and a server was killed on the way. */
    public boolean run() throws Exception {
        DemoSite site = DemoSite.plan(options.work(), AGENTS, options.machines());
        List<BootFiles.File> files = BootFiles.choose(options.artifacts());
        for (BootFiles.File f : files) {
            timeline.event("demo", String.format("boot file %-13s %9s  %s", f.name(), size(f.bytes().length),
                    f.origin()));
        }
        DemoSite.AgentSite origin = site.agents().getFirst();
        DemoSnapshot.Built snapshot = DemoSnapshot.build(options.work(), origin.store(), files, clock);
        timeline.event("demo", "built snapshot " + snapshot.shortId() + " of a generated tree into " + origin.name()
                + "'s store: core archive " + snapshot.core().files() + " files, " + snapshot.core().chunks().size()
                + " chunks; signed; boot files stored beside it");
        site.writeShared();
        DemoMesh[] meshRef = new DemoMesh[1];
        try (AgentLogs logs = new AgentLogs(options.work().resolve("agents.log"), (who, r) -> {
            if (meshRef[0] != null) {
                meshRef[0].logged(who, r);
            }
        })) {
            DemoMesh mesh = new DemoMesh(site, timeline, logs, clock);
            meshRef[0] = mesh;
            try (mesh) {
                return runMesh(site, mesh, snapshot);
            }
        }
    }

    private boolean runMesh(DemoSite site, DemoMesh mesh, DemoSnapshot.Built snapshot) throws Exception {
        mesh.start();
        await("the first active boot server", MESH_READY, () -> !mesh.activeServers().isEmpty());
        mesh.publish(snapshot.id());
        await("every agent holds the snapshot", MESH_READY, () -> mesh.everyAgentHolds(snapshot.id()));
        await("two active boot servers", MESH_READY, () -> mesh.activeServers().size() == 2);
        List<InetSocketAddress> helpers = new ArrayList<>();
        for (DemoSite.AgentSite a : site.agents()) {
            helpers.add(new InetSocketAddress(InetAddress.getByAddress(a.address().toBytes()), a.dhcp()));
        }
        try (DhcpRelay relay = new DhcpRelay(site.relay(), site.relayPort(), helpers, clock)) {
            relay.start();
            timeline.event("relay", "DHCP relay at " + site.relay() + ":" + site.relayPort() + " forwards to every"
                    + " agent's DHCP port with giaddr set (RFC 1542)");
            timeline.event("demo", "powering on " + options.machines() + " machines, one every "
                    + POWER_ON_EVERY.toMillis() + " ms (simulated: firmware start "
                    + SimulatedMachine.Timing.DEMO.post().toMillis() + " ms, kernel start "
                    + SimulatedMachine.Timing.DEMO.kernelStart().toMillis() + " ms, reboot wait "
                    + SimulatedMachine.Timing.DEMO.reboot().toSeconds() + " s instead of 10 s)");
            List<MachineProgress> progress = new ArrayList<>();
            List<SimulatedMachine> machines = new ArrayList<>();
            long seed = clock.millis();
            for (DemoSite.MachineSite m : site.machines()) {
                MachineProgress p = new MachineProgress(m.name());
                progress.add(p);
                machines.add(new SimulatedMachine(m, site, timeline, pause, SimulatedMachine.Timing.DEMO, p,
                        seed + progress.size()));
            }
            List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread powerOn = Thread.ofPlatform().daemon().name("demo-power-on").start(() -> {
                try {
                    for (int i = 0; i < machines.size(); i++) {
                        threads.add(Thread.ofPlatform().daemon().name(site.machines().get(i).name())
                                .start(machines.get(i)));
                        pause.pause(POWER_ON_EVERY);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Optional<String> killed = Optional.empty();
            Duration deadline = timeline.elapsed().plus(MACHINES_DONE);
            int killAfter = Math.min(KILL_AFTER_BOOTED, options.machines() - 1);
            while ((killed.isEmpty() || !progress.stream().allMatch(MachineProgress::isDone))
                    && timeline.elapsed().compareTo(deadline) < 0) {
                if (killed.isEmpty() && progress.stream().filter(MachineProgress::isBooted).count() >= killAfter) {
                    List<String> active = mesh.activeServers();
                    if (!active.isEmpty()) {
                        killed = Optional.of(active.getFirst());
                        mesh.crash(killed.get());
                    }
                }
                Thread.sleep(50); // polling the machines' threads; there is no event to wait on
            }
            powerOn.join();
            if (killed.isPresent()) {
                awaitQuietly(TAKE_OVER, () -> mesh.takeOver().isPresent());
            }
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(1));
            }
            return summary(progress, killed, mesh);
        }
    }

    private boolean summary(List<MachineProgress> progress, Optional<String> killed, DemoMesh mesh)
            throws InterruptedException {
        long booted = progress.stream().filter(MachineProgress::isBooted).count();
        timeline.print("");
        timeline.print(MachineProgress.header());
        progress.forEach(p -> timeline.print(p.row()));
        timeline.print("");
        boolean tookOver = mesh.takeOver().isPresent();
        timeline.print(mesh.takeOver().orElse("No agent took over" + killed.map(k -> " from " + k).orElse("")) + "; "
                + "active boot servers now: " + mesh.activeServers() + ".");
        timeline.print(String.format("%d/%d machines booted; %s.", booted, progress.size(),
                booted == progress.size() ? "none lost" : (progress.size() - booted) + " LOST"));
        if (options.keepRunning()) {
            timeline.print("");
            timeline.print("--keep-running: the surviving agents stay up until Ctrl-C:");
            mesh.urls().forEach((name, url) -> timeline.print("  " + name + "  " + url + "/snapshots/"
                    + " (e.g. " + url + "/boot/02:00:00:00:00:01.ipxe)"));
            new java.util.concurrent.CountDownLatch(1).await();
        }
        return booted == progress.size() && killed.isPresent() && tookOver;
    }

    private static String size(long bytes) {
        return bytes < (1 << 20) ? String.format("%.0f KiB", bytes / 1024.0)
                : String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    private void awaitQuietly(Duration within, BooleanSupplier condition) throws InterruptedException {
        Duration until = timeline.elapsed().plus(within);
        while (!condition.getAsBoolean() && timeline.elapsed().compareTo(until) < 0) {
            Thread.sleep(50); // polling the mesh watcher; the summary says if it did not happen
        }
    }

    private void await(String what, Duration within, BooleanSupplier condition) throws IOException,
            InterruptedException {
        Duration until = timeline.elapsed().plus(within);
        while (!condition.getAsBoolean()) {
            if (timeline.elapsed().compareTo(until) > 0) {
                throw new IOException("not within " + within.toSeconds() + " s: " + what + " (agent logs: "
                        + options.work().resolve("agents.log") + ")");
            }
            Thread.sleep(50); // polling agents that change on their own threads; there is no event to wait on
        }
    }
}
