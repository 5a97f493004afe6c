package dev.meshboot.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.images.testing.Processes;
import dev.meshboot.images.testing.Tiers;
import dev.meshboot.node.agent.Agent;
import dev.meshboot.node.agent.AgentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Only root opens the admin socket: the shipped jar, run as nobody (setpriv), is refused even when every directory
 * on the way is open to it, while the same command as root reads the documents. Nothing administrative listens on
 * the network, so this file mode is the whole access control.
 */
@Timeout(120)
class AdminSocketPermissionIT {
    @Test
    void nobody_isRefused_rootIsServed() throws Exception {
        Tiers.requireRoot();
        Tiers.requireTool("setpriv");
        Path dir = Files.createTempDirectory("meshboot-admin");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(dir.resolve("tftp"));
        Files.createDirectories(dir.resolve("boot"));
        Files.writeString(dir.resolve("cluster.yaml"), """
                kind: Cluster
                name: lab
                spec: {networks: [{name: prov, subnet: 10.99.0.0/24}]}
                ---
                kind: Profile
                name: compute
                spec: {os: debian}
                ---
                kind: Node
                name: secret-node
                spec: {mac: "52:54:00:00:00:01", address: 10.99.0.11, profile: compute}
                """);
        Path settings = Files.writeString(dir.resolve("agent.yaml"), """
                documents: [cluster.yaml]
                interfaces: [{device: lo, network: prov, address: 10.99.0.1}]
                ports: {dhcp: 0, tftp: 0, http: 0}
                tftpRoot: tftp
                bootDir: boot
                store: snapshots
                installs: installs.json
                admin: {socket: run/admin.sock}
                """);
        Path socket = dir.resolve("run/admin.sock");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jar = Path.of("target/meshboot.jar").toAbsolutePath().toString();
        Agent agent = Agent.start(AgentConfig.read(settings), Clock.systemUTC());
        try {
            Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
            Processes.Result asRoot = Processes.run(dir, List.of(java, "-jar", jar, "config", "get", "--socket",
                    socket.toString()));
            assertEquals(0, asRoot.exitCode(), asRoot.stderr());
            assertTrue(asRoot.stdout().contains("secret-node"), asRoot.stdout());

            Processes.Result asNobody = Processes.run(dir, List.of("setpriv", "--reuid", "65534", "--regid", "65534",
                    "--clear-groups", java, "-jar", jar, "config", "get", "--socket", socket.toString()));
            assertNotEquals(0, asNobody.exitCode(), "nobody could use the socket: " + asNobody.stdout());
            assertFalse(asNobody.stdout().contains("secret-node"), asNobody.stdout());
            assertTrue(asNobody.stderr().toLowerCase(Locale.ROOT).contains("permission denied")
                    || asNobody.stderr().contains("may use the admin socket"), "refused for another reason: "
                    + asNobody.stderr());
        } finally {
            agent.close();
            dev.meshboot.images.paths.Trees.delete(dir);
        }
    }
}
