package dev.meshboot.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code meshboot node} refuses to start on a mistake, naming the file, field, value and reason. */
class NodeCommandTest {
    @TempDir
    Path dir;

    private int run(StringWriter err, String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void badSettings_areRefusedAtStart() throws Exception {
        Path agent = Files.writeString(dir.resolve("agent.yaml"), "documents: [nope.yaml]\nmode: loud\n");
        StringWriter err = new StringWriter();
        assertEquals(1, run(err, "node", "--config", agent.toString()));
        assertTrue(err.toString().contains("agent.yaml: mode = 'loud': must be full"), err.toString());
        assertTrue(err.toString().contains("documents = 'nope.yaml': no such file"), err.toString());
    }

    @Test
    void aMistakeInTheClusterDocuments_isRefusedAtStart() throws Exception {
        Files.createDirectories(dir.resolve("tftp"));
        Files.createDirectories(dir.resolve("boot"));
        Files.writeString(dir.resolve("cluster.yaml"), """
                kind: Cluster
                name: c
                spec: {networks: [{name: prov, subnet: 10.99.0.0/24}]}
                ---
                kind: Node
                name: n1
                spec: {mac: "52:54:00:00:00:01", address: 10.99.0.5, profile: missing}
                """);
        Path agent = Files.writeString(dir.resolve("agent.yaml"), """
                documents: [cluster.yaml]
                interfaces: [{device: lo, network: prov, address: 10.99.0.1}]
                tftpRoot: tftp
                bootDir: boot
                """);
        StringWriter err = new StringWriter();
        assertEquals(1, run(err, "node", "--config", agent.toString()));
        assertTrue(err.toString().contains("cluster.yaml: Node n1 spec.profile = 'missing': no such Profile"),
                err.toString());
    }
}
