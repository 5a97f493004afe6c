package dev.meshboot.node.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.clusterconfig.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
    @TempDir
    Path dir;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(dir.resolve("cluster.yaml"), "kind: Cluster\nname: c\n");
        Files.createDirectories(dir.resolve("tftp"));
        Files.createDirectories(dir.resolve("boot"));
    }

    private Path write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("agent.yaml"), yaml);
    }

    @Test
    void validSettings_areRead_withDefaultsAndRelativePaths() throws Exception {
        AgentConfig c = AgentConfig.read(write("""
                documents: [cluster.yaml]
                mode: proxy
                interfaces: [{device: eth0, network: prov, address: 10.0.0.1}]
                tftpRoot: tftp
                bootDir: boot
                """));
        assertTrue(c.proxy());
        assertEquals(new AgentConfig.Ports(67, 68, 4011, 69, 8080), c.ports());
        assertEquals(dir.resolve("tftp"), c.tftpRoot());
        assertEquals("10.0.0.1", c.interfaces().getFirst().address().toString());
    }

    @Test
    void mistakes_areRefusedWithFileFieldValueAndReason() throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.read(write("""
                documents: [missing.yaml]
                mode: half
                interfaces: [{device: eth0, network: prov, address: 10.0.0.300}]
                ports: {http: 70000}
                tftpRoot: tftp
                bootDir: boot
                colour: blue
                """)));
        String m = e.getMessage();
        assertTrue(m.contains("agent.yaml: documents = 'missing.yaml': no such file"), m);
        assertTrue(m.contains("mode = 'half': must be full"), m);
        assertTrue(m.contains("interfaces[0].address = '10.0.0.300'"), m);
        assertTrue(m.contains("ports.http = '70000': a port number"), m);
        assertTrue(m.contains("colour: unknown field"), m);
        assertEquals(5, e.errors().size(), m);
    }
}
