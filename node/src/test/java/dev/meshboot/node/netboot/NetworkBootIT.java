package dev.meshboot.node.netboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.images.testing.Processes;
import dev.meshboot.images.testing.Tiers;
import dev.meshboot.node.agent.Agent;
import dev.meshboot.node.agent.AgentConfig;
import dev.meshboot.node.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole boot path on real firmware, from the NIC's PXE ROM (SeaBIOS) or OVMF's own PXE to {@code switch_root}:
 * QEMU (TCG) on a bridge in a network namespace, against the agent's own DHCP, TFTP and HTTP servers, booting a
 * signed snapshot whose kernel, initramfs and bootloader images were made by {@code meshboot artifacts build}.
 *
 * <p>The snapshot is a small busybox root with Debian's kernel (fetched with {@code apt-get download}, never
 * installed): its {@code /sbin/init} prints a marker carrying the host name (which only the node's config archive
 * holds) and the persistent partition's stamp, prints the {@code booted.json} /init wrote, and powers off. Each
 * boot's phase timings are printed, and every serial log is kept under {@code target/netboot-logs}.
 */
@Timeout(600)
class NetworkBootIT {
    private static final String MAC = "52:54:00:12:35:01";
    private static final Path LOGS = Path.of("target/netboot-logs");
    private static Path work;
    private static Path masterStore;
    private static String snapshot;

    @TempDir
    Path dir;

    private VmLab lab;
    private Agent agent;
    private final List<AutoCloseable> extra = new ArrayList<>();
    private String testName;

    /** Builds the test root, snapshots it, and builds its boot artifacts with the CLI, once for the class. */
    @BeforeAll
    static void snapshot() throws Exception {
        Tiers.requireRoot();
        for (String tool : List.of("qemu-system-x86_64", "dnsmasq", "dpkg", "depmod", "grub-mkimage", "sfdisk",
                "mkfs.ext4", "mkfs.vfat", "zstd", "tar")) {
            Tiers.requireTool(tool);
        }
        work = Files.createTempDirectory("meshboot-netboot");
        Path rootfs = work.resolve("rootfs");
        Path script = Path.of(NetworkBootIT.class.getResource("/netboot/make-test-rootfs.sh").toURI());
        Processes.must(work, "bash " + script + " /var/cache/meshboot " + rootfs);
        masterStore = work.resolve("store");
        cli("key", "generate", "--out", work.resolve("key").toString());
        cli("image", "build", "--store", masterStore.toString(), "--key", work.resolve("key").toString(),
                "--name", "testroot", "--chunk-size", "256K", rootfs.toString());
        snapshot = SnapshotStore.open(masterStore).ids().getFirst();
        String[] build = {"artifacts", "build", "--store", masterStore.toString(), "--driver", "e1000", "--driver",
                "virtio_pci", "--driver", "virtio_net", "--driver", "virtio_blk", snapshot};
        System.out.println(cli(build));
        // Reproducible: a second build gives the same blobs (the index names them by hash).
        Path index = masterStore.resolve("artifacts").resolve(snapshot + ".json");
        String first = Files.readString(index);
        cli(build);
        assertEquals(first, Files.readString(index), "a second artifacts build gave other bytes");
        Files.createDirectories(LOGS);
    }

    @org.junit.jupiter.api.AfterAll
    static void removeWork() throws Exception {
        if (work != null) {
            dev.meshboot.images.paths.Trees.delete(work);
        }
    }

    private static String cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        assertEquals(0, rc, String.join(" ", args) + " failed: " + err + out);
        return out.toString();
    }

    @BeforeEach
    void up(TestInfo info) throws Exception {
        testName = info.getTestMethod().orElseThrow().getName();
        lab = new VmLab(dir).up();
    }

    @AfterEach
    void down() throws Exception {
        if (agent != null) {
            agent.close();
        }
        for (AutoCloseable c : extra) {
            c.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    /** A copy of the class's store, so a test may damage its own. */
    private Path storeCopy(String name) throws Exception {
        Path copy = dir.resolve(name);
        Processes.must(dir, "cp -a " + masterStore + " " + copy);
        return copy;
    }

    private void startAgent(String hostname, String profileSpec, int reinstall, List<String> bootServers, Path store)
            throws Exception {
        if (agent != null) {
            agent.close();
        }
        Files.writeString(dir.resolve("cluster.yaml"), """
                kind: Cluster
                name: lab
                spec:
                  networks:
                    - {name: prov, subnet: 10.99.5.0/24, gateway: 10.99.5.1, dns: [10.99.5.1]}
                ---
                kind: Profile
                name: test
                spec: %s
                ---
                kind: Channel
                name: stable
                spec: {snapshot: %s}
                ---
                kind: Node
                name: vm-01
                spec: {mac: "%s", hostname: %s, address: 10.99.5.11, profile: test, reinstall: %d}
                """.formatted(profileSpec, snapshot, MAC, hostname, reinstall));
        Files.createDirectories(dir.resolve("tftp"));
        Files.createDirectories(dir.resolve("boot"));
        Files.writeString(dir.resolve("agent.yaml"), """
                documents: [cluster.yaml]
                interfaces:
                  - {device: %s, network: prov, address: %s}
                ports: {dhcp: 67, dhcpClient: 68, tftp: 69, http: 18080}
                tftpRoot: tftp
                bootDir: boot
                store: %s
                leases: leases.json
                installs: installs.json
                bootServers: %s
                """.formatted(lab.hostIf, VmLab.HOST_ADDRESS, store, bootServers));
        agent = Agent.start(AgentConfig.read(dir.resolve("agent.yaml")), Clock.systemUTC());
    }

    private static final String RAM = "{os: debian, install: ram}";
    private static final String DISK = "{os: debian, install: disk, disk: {root: 256MiB, persistent: /persist}}";

    private VmLab.Run boot(String label, List<String> machine) throws Exception {
        VmLab.Run run = lab.boot(LOGS.resolve(testName + "-" + label + ".log"), machine, 300);
        System.out.println("[" + testName + " " + label + "] " + run.phases() + "; log " + LOGS.resolve(testName
                + "-" + label + ".log"));
        run.line("meshboot: archive core:").ifPresent(l -> System.out.println("  " + l));
        run.line("\"phases\"").ifPresent(l -> System.out.println("  " + l.replaceAll(".*\"phases\"", "phases")));
        return run;
    }

    private static List<String> bios(String... more) {
        List<String> m = new ArrayList<>(List.of("-machine", "pc", "-device", "e1000,netdev=n0,mac=" + MAC,
                "-boot", "n"));
        m.addAll(List.of(more));
        return m;
    }

    private void assertMarker(VmLab.Run run, String expected) {
        Optional<String> marker = run.line("MESHBOOT-MARKER");
        assertTrue(marker.isPresent(), "no marker; console:\n" + tail(run));
        assertTrue(marker.get().contains(expected), "marker '" + marker.get() + "' lacks '" + expected + "'");
    }

    private static String tail(VmLab.Run run) {
        String t = run.text();
        return t.length() > 6000 ? t.substring(t.length() - 6000) : t;
    }

    /**
     * Ram mode under SeaBIOS: PXE ROM -> iPXE -> kernel and initramfs over HTTP -> /init -> verified snapshot in a
     * tmpfs -> node config -> switch_root. The host name changes between two boots and the marker follows it.
     */
    @Test
    void ramMode_bios_bootsTheSnapshotIntoTmpfs_andTheConfigArchiveFollowsTheDocuments() throws Exception {
        startAgent("alpha", RAM, 0, List.of(), masterStore);
        VmLab.Run first = boot("alpha", bios());
        assertMarker(first, "hostname=alpha rootfs=tmpfs");
        assertTrue(first.line("TEST-ROOT: booted.json").orElseThrow().contains("\"snapshot\":\"" + snapshot + "\""));

        startAgent("beta", RAM, 0, List.of(), masterStore);
        VmLab.Run second = boot("beta", bios());
        assertMarker(second, "hostname=beta rootfs=tmpfs");
    }

    /**
     * Ram mode under OVMF with no NIC option ROM: the firmware's own PXE gets {@code ipxe.efi} over the agent's
     * TFTP (from the snapshot's boot artifacts; the TFTP root is empty), and that iPXE boots the snapshot.
     */
    @Test
    void ramMode_uefi_firmwarePxeFetchesIpxeOverTftp_andBootsTheSnapshot() throws Exception {
        startAgent("gamma", RAM, 0, List.of(), masterStore);
        Path vars = Files.copy(Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"), dir.resolve("vars.fd"));
        VmLab.Run run = boot("uefi", List.of("-machine", "q35",
                "-drive", "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
                "-drive", "if=pflash,format=raw,file=" + vars,
                "-device", "virtio-net-pci,netdev=n0,romfile=,mac=" + MAC));
        assertMarker(run, "hostname=gamma rootfs=tmpfs");
        try (Stream<Path> t = Files.list(dir.resolve("tftp"))) {
            assertEquals(0, t.count(), "ipxe.efi must have come from the artifacts, not the TFTP root");
        }
    }

    /** The first server named is dead (no host has its address): /init moves to the next, and booted.json says so. */
    @Test
    void failover_aDeadServerFirst_initMovesToTheNext_andBootedJsonRecordsIt() throws Exception {
        startAgent("delta", RAM, 0, List.of("10.99.5.9:18080", VmLab.HOST_ADDRESS + ":18080"), masterStore);
        VmLab.Run run = boot("failover", bios());
        assertMarker(run, "hostname=delta");
        String booted = run.line("TEST-ROOT: booted.json").orElseThrow();
        assertTrue(booted.contains("\"server\":\"10.99.5.9:18080\""), "no failover recorded: " + booted);
        assertTrue(booted.contains("\"manifest\":\"" + VmLab.HOST_ADDRESS + ":18080\""), booted);
    }

    /**
     * The first server's copy of a chunk is a valid zstd frame of other content. That server checks a chunk before it
     * first serves it (VerifiedChunkFiles), so it answers 404 and quarantines its copy; /init fails over, takes the
     * chunk from the second, and boots the good snapshot. (/init's own check of what it downloads stays: a server
     * that does not check is refused with "content does not match its id".)
     */
    @Test
    void corruption_aWrongChunkIsRefused_andFetchedFromAnotherServer() throws Exception {
        Path bad = storeCopy("bad-store");
        Path chunk;
        try (Stream<Path> s = Files.walk(bad.resolve("chunks"))) {
            chunk = s.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
        }
        byte[] other = new byte[100_000];
        new java.util.Random(7).nextBytes(other);
        Files.write(chunk, Zstd.compress(other, 3));
        startAgent("epsilon", RAM, 0, List.of(VmLab.HOST_ADDRESS + ":18080", VmLab.HOST_ADDRESS + ":18081"), bad);
        // A second, HTTP-only agent with an intact copy of the store: it serves the archives and the config.
        Files.writeString(dir.resolve("peer.yaml"), """
                documents: [cluster.yaml]
                interfaces:
                  - {device: %s, network: prov, address: %s}
                ports: {dhcp: 0, tftp: 0, http: 18081}
                tftpRoot: tftp
                bootDir: boot
                store: %s
                leases: peer-leases.json
                installs: peer-installs.json
                """.formatted(lab.hostIf, VmLab.HOST_ADDRESS, masterStore));
        Agent peer = Agent.start(AgentConfig.read(dir.resolve("peer.yaml")), Clock.systemUTC());
        extra.add(peer);
        VmLab.Run run = boot("corruption", bios());
        assertMarker(run, "hostname=epsilon");
        String id = chunk.getFileName().toString().replace(".zst", "");
        String booted = run.line("TEST-ROOT: booted.json").orElseThrow();
        assertTrue(booted.contains("\"what\":\"chunk " + id + "\",\"server\":\"" + VmLab.HOST_ADDRESS
                + ":18080\""), booted);
        assertTrue(Files.notExists(chunk), "the first server kept serving its damaged copy");
        assertTrue(booted.contains(VmLab.HOST_ADDRESS + ":18081"), booted);
    }

    /**
     * Disk mode under SeaBIOS with network-first boot order: the first boot partitions, installs and switches into
     * the disk; the next boot gets "boot your local disk" from the server; with no server at all the firmware falls
     * through to the disk; and a reinstall keeps the persistent partition.
     */
    @Test
    void diskMode_installs_bootsLocallyWithAndWithoutServer_andKeepsThePersistentPartition() throws Exception {
        Path disk = dir.resolve("disk.img");
        Processes.must(dir, "truncate -s 1G " + disk);
        List<String> machine = List.of("-machine", "pc",
                "-drive", "file=" + disk + ",if=none,id=d0,format=raw", "-device", "virtio-blk-pci,drive=d0,bootindex=2",
                "-device", "e1000,netdev=n0,mac=" + MAC + ",bootindex=1");
        startAgent("zeta", DISK, 0, List.of(), masterStore);

        VmLab.Run install = boot("install", machine);
        assertMarker(install, "hostname=zeta rootfs=ext4 persist=empty");
        assertTrue(Files.readString(dir.resolve("installs.json")).contains(snapshot), "the install was not recorded");

        VmLab.Run local = boot("local", machine);
        assertTrue(local.line("boots its local disk").isPresent(), "the server did not send it to its disk:\n" + tail(local));
        assertFalse(local.line("meshboot: archive").isPresent(), "it reinstalled instead of booting its disk");
        assertMarker(local, "hostname=zeta rootfs=ext4 persist=written-at");

        agent.close();
        agent = null;
        VmLab.Run offline = boot("no-server", machine);
        assertMarker(offline, "hostname=zeta rootfs=ext4 persist=written-at");

        startAgent("zeta", DISK, 1, List.of(), masterStore);
        VmLab.Run reinstall = boot("reinstall", machine);
        assertTrue(reinstall.line("meshboot: disk .*keeping its partition table").isPresent(), tail(reinstall));
        String stamp = local.line("MESHBOOT-MARKER").orElseThrow().replaceAll(".*persist=", "");
        assertMarker(reinstall, "persist=" + stamp);
    }

    /**
     * Disk mode under OVMF: the install puts GRUB's BOOTX64.EFI on the EFI system partition; on the next boot the
     * server answers "boot your local disk", and iPXE chains GRUB, which boots the installed system from the disk.
     */
    @Test
    void diskMode_uefi_installs_thenBootsTheDiskThroughGrub() throws Exception {
        Path disk = dir.resolve("disk.img");
        Processes.must(dir, "truncate -s 1G " + disk);
        Path vars = Files.copy(Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"), dir.resolve("vars.fd"));
        List<String> machine = List.of("-machine", "q35",
                "-drive", "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
                "-drive", "if=pflash,format=raw,file=" + vars,
                "-drive", "file=" + disk + ",if=none,id=d0,format=raw", "-device", "virtio-blk-pci,drive=d0,bootindex=2",
                "-device", "virtio-net-pci,netdev=n0,romfile=,mac=" + MAC + ",bootindex=1");
        startAgent("eta", DISK, 0, List.of(), masterStore);
        VmLab.Run install = boot("install", machine);
        assertMarker(install, "hostname=eta rootfs=ext4 persist=empty");

        VmLab.Run local = boot("local", machine);
        assertTrue(local.line("boots its local disk").isPresent(), "the server did not send it to its disk:\n" + tail(local));
        assertTrue(local.line("meshboot: local disk").isPresent(), "GRUB did not boot the installed system:\n" + tail(local));
        assertMarker(local, "hostname=eta rootfs=ext4 persist=written-at");
    }
}
