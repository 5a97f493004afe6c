package dev.meshboot.node.demo;

import dev.meshboot.clusterconfig.Ipv4;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * One machine that boots from the mesh through the real exchanges, each stage behaving like the real program:
 * <ol>
 *   <li><b>PXE firmware</b>: DHCP through the relay ({@link DhcpClient}), then the boot program named in the ACK by
 *       TFTP from next-server ({@link TftpClient});
 *   <li><b>iPXE</b>: DHCP again with user class "iPXE", which gets it its script's URL; the script over HTTP, read
 *       for its kernel and initrd lines ({@link IpxeScriptReader}); the kernel and initramfs;
 *   <li><b>{@code /init}</b>: a DHCP lease (udhcpc), then the snapshot by its manifest, chunk by chunk, verified,
 *       with fail-over along {@code meshboot.servers}, and the boot report ({@link SimulatedInit}).
 * </ol>
 * A stage that fails makes the machine start over as the real one would: firmware and iPXE reboot (the network
 * script's {@code sleep 10; reboot}), {@code /init} gives up the attempt. The demo shortens the waits and simulates
 * the time firmware and kernel take to start ({@link Timing}, {@link Pause}); it says so in its output.
 */
final class SimulatedMachine implements Runnable {
    /**
     * @param post firmware power-on self test, before the first DHCPDISCOVER
     * @param kernelStart from the kernel's start to {@code /init}'s first DHCPDISCOVER
     * @param reboot the wait before a reboot (iPXE's script says 10 s)
     * @param fetchTimeout {@code meshboot.timeout}: one fetch, before the next server is tried
     * @param attempts boot attempts before the machine counts as lost
     */
    record Timing(Duration post, Duration kernelStart, Duration reboot, Duration fetchTimeout, int attempts) {
        static final Timing DEMO = new Timing(Duration.ofMillis(500), Duration.ofMillis(1500), Duration.ofSeconds(1),
                Duration.ofSeconds(3), 8);
    }

    /** Why one attempt failed: the stage and the reason, for the timeline. */
    private static final class AttemptFailed extends Exception {
        private static final long serialVersionUID = 1L;

        AttemptFailed(String message) {
            super(message);
        }
    }

    private final DemoSite.MachineSite machine;
    private final DemoSite site;
    private final Timeline timeline;
    private final Pause pause;
    private final Timing timing;
    private final MachineProgress progress;
    private final DhcpClient dhcp;

    SimulatedMachine(DemoSite.MachineSite machine, DemoSite site, Timeline timeline, Pause pause, Timing timing,
            MachineProgress progress, long seed) {
        this.machine = machine;
        this.site = site;
        this.timeline = timeline;
        this.pause = pause;
        this.timing = timing;
        this.progress = progress;
        this.dhcp = new DhcpClient(machine.mac(), new InetSocketAddress(address(site.relay()), site.relayPort()), seed,
                this::say, this::name);
    }

    @Override
    public void run() {
        Duration poweredOn = timeline.elapsed();
        for (int attempt = 1; attempt <= timing.attempts(); attempt++) {
            try {
                bootOnce(poweredOn);
                return;
            } catch (AttemptFailed e) {
                progress.rebooted();
                say(e.getMessage() + "; reboots");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        progress.gaveUp();
        say("LOST: no boot in " + timing.attempts() + " attempts");
    }

    private void bootOnce(Duration poweredOn) throws AttemptFailed, InterruptedException {
        pause.pause(timing.post());
        // 1. PXE firmware: DHCP, then the boot program by TFTP.
        DhcpClient.Lease pxe = lease(DhcpClient.Stage.FIRMWARE, "PXE");
        if (pxe.bootFile().isEmpty() || pxe.bootFile().contains("/")) {
            throw new AttemptFailed("PXE: no TFTP boot file in the DHCPACK from " + name(pxe.server()));
        }
        Optional<DemoSite.AgentSite> tftp = site.agentAt(pxe.nextServer());
        if (tftp.isEmpty()) {
            throw new AttemptFailed("PXE: next-server " + pxe.nextServer() + " is no agent of this demo");
        }
        byte[] program;
        try {
            program = TftpClient.read(address(pxe.address()), new InetSocketAddress(address(pxe.nextServer()),
                    tftp.get().tftp()), pxe.bootFile(), Duration.ofSeconds(1));
        } catch (IOException e) {
            throw new AttemptFailed("PXE: TFTP " + pxe.bootFile() + " from " + name(pxe.nextServer()) + " failed ("
                    + e.getMessage() + ")");
        }
        progress.bootProgram(name(pxe.nextServer()));
        say("PXE: DHCPACK " + pxe.address() + " from " + name(pxe.server()) + " (via relay); " + pxe.bootFile() + " ("
                + kib(program.length) + ") by TFTP from " + name(pxe.nextServer()));

        // 2. iPXE: DHCP with user class iPXE, the script, the kernel and initramfs.
        DhcpClient.Lease ipxe = lease(DhcpClient.Stage.IPXE, "iPXE");
        if (!ipxe.bootFile().startsWith("http://")) {
            throw new AttemptFailed("iPXE: the DHCPACK from " + name(ipxe.server()) + " names no script URL");
        }
        IpxeScriptReader.NetworkBoot boot;
        String scriptFrom = serverOf(ipxe.bootFile());
        long kernelBytes;
        long initrdBytes;
        try (MachineHttp http = new MachineHttp(address(ipxe.address()), timing.fetchTimeout())) {
            String text = new String(http.get(ipxe.bootFile()), StandardCharsets.UTF_8);
            IpxeScriptReader.Result r = IpxeScriptReader.read(text);
            if (r instanceof IpxeScriptReader.CannotBoot c) {
                throw new AttemptFailed("iPXE: the script from " + scriptFrom + " says \"" + c.message() + "\"");
            }
            boot = ((IpxeScriptReader.Boot) r).boot();
            kernelBytes = http.get(boot.kernelUrl()).length;
            initrdBytes = http.get(boot.initrdUrl()).length;
        } catch (MachineHttp.FetchException | IpxeScriptReader.ScriptException e) {
            throw new AttemptFailed("iPXE: " + e.getMessage() + " from " + scriptFrom
                    + "; the script's ':failed' path: sleep 10, reboot (demo: " + timing.reboot().toSeconds() + " s)");
        }
        progress.script(scriptFrom);
        say("iPXE: DHCPACK from " + name(ipxe.server()) + "; script, kernel (" + mib(kernelBytes) + ") and initramfs ("
                + mib(initrdBytes) + ") by HTTP from " + serverOf(boot.kernelUrl()));
        pause.pause(timing.kernelStart());

        // 3. /init: a lease, then the snapshot, verified chunk by chunk, with fail-over.
        DhcpClient.Lease init = lease(DhcpClient.Stage.INIT, "/init");
        SimulatedInit.Result result;
        try (MachineHttp http = new MachineHttp(address(init.address()), timing.fetchTimeout())) {
            result = new SimulatedInit(machine.name(), http,
                    FailoverServers.parse(boot.param("servers").orElse("")), this::nameOfServer, this::say)
                    .run(boot.param("snapshot").orElse(""), "1".equals(boot.param("extras").orElse("0")));
        } catch (IOException | IllegalArgumentException e) {
            throw new AttemptFailed("/init: " + e.getMessage() + "; starts over");
        }
        Duration took = timeline.elapsed().minus(poweredOn);
        progress.booted(result.chunksFrom(), result.failovers().size(), took);
        StringBuilder from = new StringBuilder();
        result.chunksFrom().forEach((k, v) -> from.append(from.isEmpty() ? "" : ", ").append(v).append(" from ")
                .append(k));
        say(String.format("/init: lease from %s; manifest and %d chunks (%s) verified (%s); booted.json recorded by"
                + " %d/%d servers. BOOTED, %.1f s after power-on", name(init.server()), result.chunks(),
                mib(result.bytes()), from, result.reportsTaken(), boot.param("servers").orElse("").split(",").length,
                took.toMillis() / 1000.0));
    }

    private DhcpClient.Lease lease(DhcpClient.Stage stage, String who) throws AttemptFailed {
        try {
            DhcpClient.Lease l = dhcp.obtain(stage);
            if (!l.address().equals(machine.address())) {
                throw new AttemptFailed(who + ": offered " + l.address() + ", not the reserved " + machine.address());
            }
            return l;
        } catch (IOException e) {
            throw new AttemptFailed(who + ": DHCP failed (" + e.getMessage() + ")");
        }
    }

    private void say(String what) {
        timeline.event(machine.name(), what);
    }

    private String name(Ipv4 address) {
        return site.agentAt(address).map(DemoSite.AgentSite::name).orElse(address.toString());
    }

    private String nameOfServer(String hostPort) {
        return site.agentAt(hostPort).map(DemoSite.AgentSite::name).orElse(hostPort);
    }

    private String serverOf(String url) {
        String rest = url.substring(url.indexOf("://") + 3);
        int slash = rest.indexOf('/');
        return nameOfServer(slash < 0 ? rest : rest.substring(0, slash));
    }

    private static InetAddress address(Ipv4 a) {
        try {
            return InetAddress.getByAddress(a.toBytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes always make an address
        }
    }

    private static String kib(long bytes) {
        return String.format("%.0f KiB", bytes / 1024.0);
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
