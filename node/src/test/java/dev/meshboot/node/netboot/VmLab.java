package dev.meshboot.node.netboot;

import dev.meshboot.images.testing.Processes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A lab for QEMU VMs (TCG): a network namespace with a bridge and one tap, joined to the host by a veth whose host
 * end carries the boot servers' address (10.99.5.1/24), so agents run in the test JVM and the VM reaches them over
 * a real layer 2. An IPv6 router-advertisement source (dnsmasq, RA only) sits on the bridge, or iPXE waits ~13 s
 * per boot for one (LAB-qemu-pxe.md, pitfall 7). Everything is removed on close.
 */
public final class VmLab implements AutoCloseable {
    public static final String HOST_ADDRESS = "10.99.5.1";

    public final String ns = "mbn" + ProcessHandle.current().pid() % 100000;
    public final String hostIf = ns + "h";
    private final String bridgeIf = ns + "b";
    private final Path dir;
    private Process ra;

    public VmLab(Path dir) {
        this.dir = dir;
    }

    public VmLab up() throws Exception {
        down();
        Processes.must(dir, String.join(" && ",
                "ip netns add " + ns,
                "ip -n " + ns + " link set lo up",
                "ip -n " + ns + " link add br0 type bridge",
                "ip -n " + ns + " link set br0 up",
                "ip -n " + ns + " -6 addr add fd99::1/64 dev br0 nodad",
                "ip -n " + ns + " tuntap add dev tap0 mode tap",
                "ip -n " + ns + " link set tap0 master br0",
                "ip -n " + ns + " link set tap0 up",
                "ip link add " + hostIf + " type veth peer name " + bridgeIf,
                "ip link set " + bridgeIf + " netns " + ns,
                "ip -n " + ns + " link set " + bridgeIf + " master br0",
                "ip -n " + ns + " link set " + bridgeIf + " up",
                "ip addr add " + HOST_ADDRESS + "/24 dev " + hostIf,
                "ip link set " + hostIf + " up"));
        ra = new ProcessBuilder("ip", "netns", "exec", ns, "dnsmasq", "--keep-in-foreground", "--port=0",
                "--interface=br0", "--bind-interfaces", "--enable-ra", "--dhcp-range=::,constructor:br0,ra-only",
                "--pid-file=" + dir.resolve("ra.pid"), "--dhcp-leasefile=" + dir.resolve("ra.leases"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("ra.log").toFile()).start();
        return this;
    }

    /** Adds another address of the boot-server side, e.g. for a second server. */
    public void addHostAddress(String address) throws Exception {
        Processes.must(dir, "ip addr add " + address + "/24 dev " + hostIf);
    }

    private void down() throws IOException, InterruptedException {
        Processes.bash(dir, "ip netns del " + ns + " 2>/dev/null; ip link del " + hostIf + " 2>/dev/null; true");
    }

    @Override
    public void close() throws IOException {
        try {
            if (ra != null) {
                ra.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            down();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while removing the lab", e);
        }
    }

    /** A finished VM run: its serial console, each line stamped with seconds since QEMU started. */
    record Run(List<Line> lines, int exitCode) {
        record Line(double at, String text) {}

        String text() {
            StringBuilder b = new StringBuilder();
            lines.forEach(l -> b.append(String.format("%8.2f %s%n", l.at(), l.text())));
            return b.toString();
        }

        /** When the first line matching {@code regex} came, or -1. */
        double at(String regex) {
            Pattern p = Pattern.compile(regex);
            return lines.stream().filter(l -> p.matcher(l.text()).find()).mapToDouble(Line::at).findFirst().orElse(-1);
        }

        java.util.Optional<String> line(String regex) {
            Pattern p = Pattern.compile(regex);
            return lines.stream().map(Line::text).filter(t -> p.matcher(t).find()).findFirst();
        }

        /** The phase timings of a boot, from its console. */
        String phases() {
            double ipxe = at("iPXE initialising|iPXE \\(PCI|iPXE 1\\.");
            double script = at("meshboot: booting|meshboot: .* boots its local disk");
            double linux = at("Linux version");
            double init = at("meshboot: initramfs started");
            double sw = at("meshboot: switch_root|meshboot: local disk");
            double marker = at("MESHBOOT-MARKER");
            return String.format("firmware->iPXE %.1fs, iPXE->script %.1fs, script->kernel %.1fs, kernel->/init %.1fs,"
                    + " /init->switch_root %.1fs, switch_root->marker %.1fs, total %.1fs",
                    ipxe, script - ipxe, linux - script, init - linux, sw - init, marker - sw, marker);
        }
    }

    /** Runs QEMU in the namespace until it exits (the test root powers off) or {@code seconds} pass. */
    Run boot(Path log, List<String> machine, int seconds) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "timeout", Integer.toString(seconds),
                "qemu-system-x86_64", "-accel", "tcg", "-m", "512", "-nographic", "-no-reboot", "-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no"));
        cmd.addAll(machine);
        long t0 = System.nanoTime();
        Process qemu = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null"))).start();
        List<Run.Line> lines = new CopyOnWriteArrayList<>();
        // The console goes to the log as it comes, so a hung boot can be watched.
        try (BufferedReader r = new BufferedReader(new InputStreamReader(qemu.getInputStream(), StandardCharsets.UTF_8));
                java.io.Writer w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String l;
            while ((l = r.readLine()) != null) {
                String clean = l.replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "").replace("\r", "").strip();
                if (!clean.isEmpty()) {
                    Run.Line line = new Run.Line((System.nanoTime() - t0) / 1e9, clean);
                    lines.add(line);
                    w.write(String.format("%8.2f %s%n", line.at(), line.text()));
                    w.flush();
                }
            }
        } finally {
            qemu.destroyForcibly();
        }
        int rc = qemu.waitFor();
        return new Run(List.copyOf(lines), rc);
    }
}
