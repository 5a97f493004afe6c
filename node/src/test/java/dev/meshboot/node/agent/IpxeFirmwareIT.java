package dev.meshboot.node.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.images.testing.Processes;
import dev.meshboot.images.testing.Tiers;
import dev.meshboot.node.netboot.VmLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real firmware: a QEMU VM (TCG) whose NIC ROM is iPXE asks the agent for DHCP, gets the URL of its own script and
 * fetches it over HTTP. The VM sits on a
 * bridge in its own network namespace; the agent's DHCP socket is bound to the veth that joins it.
 */
@Timeout(240)
class IpxeFirmwareIT {
    private static final String MAC = "52:54:00:12:34:01";

    @TempDir
    Path dir;

    private VmLab lab;
    private String ns;
    private String hostIf;
    private Agent agent;
    private Process qemu;
    private Process dnsmasq;

    private void must(String script) throws Exception {
        Processes.must(dir, script);
    }

    @BeforeEach
    void network() throws Exception {
        Tiers.requireRoot();
        Tiers.requireTool("ip");
        Tiers.requireTool("qemu-system-x86_64");
        Tiers.requireTool("dnsmasq");
        lab = new VmLab(dir).up();
        ns = lab.ns;
        hostIf = lab.hostIf;
    }

    @AfterEach
    void teardown() throws Exception {
        if (qemu != null) {
            qemu.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (dnsmasq != null) {
            dnsmasq.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (agent != null) {
            agent.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private List<String> startAgent(int tftpPort) throws Exception {
        return startAgent(tftpPort, "full");
    }

    private List<String> startAgent(int tftpPort, String mode) throws Exception {
        Files.writeString(dir.resolve("cluster.yaml"), """
                kind: Cluster
                name: lab
                spec:
                  networks:
                    - {name: prov, subnet: 10.99.5.0/24, gateway: 10.99.5.1, dns: [10.99.5.1]}
                ---
                kind: Profile
                name: compute
                spec: {os: debian, install: ram}
                ---
                kind: Node
                name: vm-01
                spec: {mac: "%s", address: 10.99.5.11, profile: compute}
                """.formatted(MAC));
        Path tftp = Files.createDirectories(dir.resolve("tftp"));
        if (Files.exists(Path.of("/usr/lib/ipxe/ipxe.efi"))) {
            Files.copy(Path.of("/usr/lib/ipxe/ipxe.efi"), tftp.resolve("ipxe.efi"));
        }
        Files.createDirectories(dir.resolve("boot"));
        Files.writeString(dir.resolve("agent.yaml"), """
                documents: [cluster.yaml]
                mode: %s
                interfaces:
                  - {device: %s, network: prov, address: 10.99.5.1}
                ports: {dhcp: 67, dhcpClient: 68, tftp: %d, http: 18080}
                tftpRoot: tftp
                bootDir: boot
                store: store
                leases: leases.json
                installs: installs.json
                """.formatted(mode, hostIf, tftpPort));
        agent = Agent.start(AgentConfig.read(dir.resolve("agent.yaml")), Clock.systemUTC());
        List<String> requests = new CopyOnWriteArrayList<>();
        agent.onHttpRequest((method, path, status, client) -> requests.add(method + " " + path + " " + status + " "
                + client.getAddress().getHostAddress()));
        return requests;
    }

    /**
     * Boots the VM and waits until its iPXE has fetched its script over HTTP. (These documents name no Channel, so
     * the script says the node cannot boot yet; NetworkBootIT follows a script all the way to switch_root.)
     */
    private void bootAndAwaitKernelRequest(List<String> requests, List<String> machine) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("ip", "netns", "exec", ns, "qemu-system-x86_64",
                "-accel", "tcg", "-m", "256", "-display", "none", "-monitor", "none",
                "-serial", "file:" + dir.resolve("serial.log"), "-no-reboot",
                "-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no"));
        cmd.addAll(machine);
        qemu = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("qemu.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline && requests.stream().noneMatch(r -> r.startsWith("GET /boot/" + MAC + ".ipxe"))) {
            assertTrue(qemu.isAlive(), "QEMU exited: " + Files.readString(dir.resolve("qemu.out")));
            Thread.sleep(250); // polling a real VM's progress; there is no event to wait on
        }
        assertTrue(requests.stream().anyMatch(r -> r.startsWith("GET /boot/" + MAC + ".ipxe 200 ")),
                "iPXE did not fetch its script: " + requests);
    }

    @Test
    void biosIpxeRom_getsDhcpFromTheAgent_fetchesItsScriptOverHttp() throws Exception {
        List<String> requests = startAgent(0);
        bootAndAwaitKernelRequest(requests, List.of("-machine", "pc", "-device", "e1000,netdev=n0,mac=" + MAC,
                "-boot", "n"));
        assertTrue(requests.contains("GET /boot/" + MAC + ".ipxe 200 10.99.5.11"), "not from its reservation: " + requests);
    }

    /**
     * OVMF's own PXE (the NIC has no option ROM): DHCP with arch 7 gets {@code ipxe.efi} and next-server, fetches it
     * over the agent's TFTP, and that iPXE then asks for its script. The script request proves the TFTP transfer.
     */
    @Test
    void uefiFirmware_fetchesIpxeEfiOverTftp_thenItsScript() throws Exception {
        Tiers.requireTool("qemu-system-x86_64");
        Path code = Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd");
        Path varsTemplate = Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd");
        Path efi = Path.of("/usr/lib/ipxe/ipxe.efi");
        boolean present = Files.exists(code) && Files.exists(varsTemplate) && Files.exists(efi);
        if (!present) {
            org.junit.jupiter.api.Assertions.fail("needs ovmf and ipxe (Debian packages): " + code + ", " + efi);
        }
        Path vars = Files.copy(varsTemplate, dir.resolve("vars.fd"));
        List<String> requests = startAgent(69);
        bootAndAwaitKernelRequest(requests, List.of("-machine", "q35",
                "-drive", "if=pflash,format=raw,readonly=on,file=" + code,
                "-drive", "if=pflash,format=raw,file=" + vars,
                "-device", "virtio-net-pci,netdev=n0,romfile=,mac=" + MAC));
        assertTrue(requests.contains("GET /boot/" + MAC + ".ipxe 200 10.99.5.11"), "not from its reservation: " + requests);
    }

    /**
     * proxyDHCP beside a site DHCP server meshboot does not control: a real dnsmasq on the bridge gives the address
     * (and no boot file); the agent in proxy mode gives only the boot part, on 67 and then on 4011. The VM's iPXE
     * ends up fetching its script from the agent, from the address dnsmasq gave it.
     */
    @Test
    void proxyDhcp_besideDnsmasq_bootsTheMachineIntoItsScript() throws Exception {
        Tiers.requireTool("dnsmasq");
        must("ip -n " + ns + " addr add 10.99.5.2/24 dev br0");
        dnsmasq = new ProcessBuilder("ip", "netns", "exec", ns, "dnsmasq", "--keep-in-foreground", "--port=0",
                "--interface=br0", "--bind-interfaces", "--except-interface=lo", "--no-resolv", "--log-dhcp",
                "--dhcp-range=10.99.5.100,10.99.5.150,255.255.255.0,10m", "--dhcp-authoritative",
                "--pid-file=" + dir.resolve("dnsmasq.pid"), "--dhcp-leasefile=" + dir.resolve("dnsmasq.leases"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("dnsmasq.out").toFile()).start();
        List<String> requests = startAgent(0, "proxy");
        bootAndAwaitKernelRequest(requests, List.of("-machine", "pc", "-device", "e1000,netdev=n0,mac=" + MAC,
                "-boot", "n"));
        assertTrue(requests.stream().anyMatch(r -> r.matches("GET /boot/" + MAC + "\\.ipxe 200 10\\.99\\.5\\.1[0-5][0-9]")),
                "the script was not fetched from the address dnsmasq gave: " + requests);
        String leases = Files.readString(dir.resolve("dnsmasq.leases"));
        assertTrue(leases.contains(MAC), "dnsmasq, not meshboot, gave the address: " + leases);
    }
}
