package dev.meshboot.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.clusterconfig.store.DocumentKey;
import dev.meshboot.clusterconfig.store.HlcTimestamp;
import dev.meshboot.clusterconfig.store.VersionedDocument;
import dev.meshboot.node.agent.Agent;
import dev.meshboot.node.agent.AgentConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code meshboot config} against a running (standalone) agent's admin socket. */
class ConfigCommandTest {
    @TempDir
    Path dir;

    private Agent agent;
    private Path socket;

    private static final String CLUSTER = """
            kind: Cluster
            name: lab
            spec: {networks: [{name: prov, subnet: 10.99.0.0/24}]}
            ---
            kind: Profile
            name: compute
            spec: {os: debian, services: [ssh]}
            ---
            kind: Node
            name: n1
            spec: {mac: "52:54:00:00:00:01", address: 10.99.0.11, profile: compute}
            """;

    record Result(int code, String out, String err) {}

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @BeforeEach
    void startAgent() throws Exception {
        Files.createDirectories(dir.resolve("tftp"));
        Files.createDirectories(dir.resolve("boot"));
        Files.writeString(dir.resolve("cluster.yaml"), CLUSTER);
        socket = dir.resolve("run/admin.sock");
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
        agent = Agent.start(AgentConfig.read(settings), Clock.systemUTC());
    }

    @AfterEach
    void stopAgent() {
        agent.close();
    }

    private Path file(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void theSocket_isOwnerOnly() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    }

    @Test
    void validate_validFiles_countsDocuments_withoutAnAgent() {
        Result r = run("config", "validate", dir.resolve("cluster.yaml").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("valid: 3 documents {Cluster=1, Node=1, Profile=1}"), r.out());
    }

    @Test
    void validate_mistakes_nameFileFieldValueAndReason() throws Exception {
        Path bad = file("bad.yaml", CLUSTER.replace("10.99.0.11", "10.98.0.11") + """
                ---
                kind: Node
                name: n2
                spec: {mac: "52:54:00:00:00:zz", address: 10.99.0.12, profile: compute}
                """);
        Result r = run("config", "validate", bad.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bad.yaml: Node n1 spec.address = '10.98.0.11': outside subnet"), r.err());
        assertTrue(r.err().contains("bad.yaml: Node n2 spec.mac = '52:54:00:00:00:zz'"), r.err());
    }

    @Test
    void apply_thenGet_servesTheNewNode() throws Exception {
        Path n2 = file("n2.yaml", """
                kind: Node
                name: n2
                spec: {mac: "52:54:00:00:00:02", address: 10.99.0.12, profile: compute}
                """);
        Result r = run("config", "apply", "--socket", socket.toString(), n2.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Node/n2: written"), r.out());
        assertTrue(agent.cluster().node("n2").isPresent(), "the boot policy's view serves the applied node");

        Result again = run("config", "apply", "--socket", socket.toString(), n2.toString());
        assertTrue(again.out().contains("Node/n2: unchanged"), again.out());

        Result list = run("config", "get", "--socket", socket.toString());
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("Node") && l.contains("n2")), list.out());
        assertEquals(4, list.out().lines().count(), list.out());

        Result one = run("config", "get", "--socket", socket.toString(), "Node", "n2");
        assertTrue(one.out().contains("address: \"10.99.0.12\"") || one.out().contains("address: 10.99.0.12"), one.out());
        Result json = run("config", "get", "--socket", socket.toString(), "node", "--json");
        assertTrue(json.out().contains("\"origin\" : \"standalone\"") && json.out().contains("\"name\" : \"n2\""),
                json.out());
    }

    @Test
    void apply_aDocumentThatBreaksTheConfiguration_isRefusedWholeWithItsErrors() throws Exception {
        Path bad = file("dup.yaml", """
                kind: Node
                name: n3
                spec: {mac: "52:54:00:00:00:03", address: 10.99.0.13, profile: compute}
                ---
                kind: Node
                name: n4
                spec: {mac: "52:54:00:00:00:01", address: 10.99.0.14, profile: storage}
                """);
        Result r = run("config", "apply", "--socket", socket.toString(), bad.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("nothing was written"), r.err());
        assertTrue(r.err().contains("store:Node/n4: Node n4 spec.profile = 'storage': no such Profile"), r.err());
        assertTrue(r.err().contains("spec.mac = '52:54:00:00:00:01': duplicate MAC"), r.err());
        assertTrue(agent.cluster().node("n3").isEmpty(), "a refused apply writes nothing, not even the valid part");
    }

    @Test
    void apply_unparsableFile_isRefusedBeforeTheAgent() throws Exception {
        Path bad = file("broken.yaml", "kind: Node\nname: [\n");
        Result r = run("config", "apply", "--socket", dir.resolve("no-agent.sock").toString(), bad.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("broken.yaml: (file): not valid YAML/JSON"), r.err());
    }

    @Test
    void anyCommand_withoutAnAgent_saysSo() {
        Result r = run("config", "get", "--socket", dir.resolve("none.sock").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("none.sock: no such socket (is the agent running?"), r.err());
    }

    @Test
    void render_writesTheNodesFiles() throws Exception {
        Path out = dir.resolve("rendered");
        Result r = run("config", "render", "n1", "--os", "debian", "--out", out.toString(), "--socket",
                socket.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("n1\n", Files.readString(out.resolve("etc/hostname")));
        assertTrue(Files.isSymbolicLink(out.resolve("etc/systemd/system/multi-user.target.wants/ssh.service")));
        Result unknown = run("config", "render", "n9", "--os", "rhel", "--out", out.toString(), "--socket",
                socket.toString());
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("no Node named 'n9'"), unknown.err());
    }

    @Test
    void conflicts_listsTheLosingWrite() throws Exception {
        assertEquals("no conflicts\n", run("config", "conflicts", "--socket", socket.toString()).out());
        DocumentKey key = new DocumentKey("Node", "n1");
        VersionedDocument held = agent.configStore().get(key).orElseThrow();
        // Another member's concurrent write of n1, older than ours: it loses and is logged.
        VersionedDocument theirs = new VersionedDocument(key, new HlcTimestamp(held.version().millis() - 1, 0, "other"),
                Optional.empty(), false, "{\"kind\":\"Node\"}".getBytes(StandardCharsets.UTF_8));
        agent.configStore().applyRemote(List.of(theirs));
        Result r = run("config", "conflicts", "--socket", socket.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Node/n1: kept " + held.version() + ", lost " + theirs.version()), r.out());
        Result json = run("config", "conflicts", "--json", "--socket", socket.toString());
        assertTrue(json.out().contains("\"origin\" : \"other\""), json.out());
        assertFalse(json.out().isBlank());
    }

    @Test
    void everyConfigCommand_hasHelp() {
        for (String c : List.of("validate", "apply", "get", "render", "conflicts")) {
            Result r = run("config", c, "--help");
            assertEquals(0, r.code(), c);
            assertTrue(r.out().contains("Usage: meshboot config " + c), r.out());
        }
    }
}
