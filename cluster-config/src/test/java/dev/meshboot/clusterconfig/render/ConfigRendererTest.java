package dev.meshboot.clusterconfig.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.clusterconfig.ClusterConfig;
import dev.meshboot.clusterconfig.ConfigLoader;
import dev.meshboot.clusterconfig.Node;
import dev.meshboot.clusterconfig.Profile;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders the nodes of src/test/resources/render/cluster.yaml and compares them with the expected files beside it:
 * {@code expected/FAMILY.manifest} lists every entry (path, octal mode, symlink target) in order, and
 * {@code expected/FAMILY/PATH} holds each file's bytes.
 */
class ConfigRendererTest {
    @TempDir
    Path dir;

    private static Path resource(String name) {
        try {
            return Path.of(ConfigRendererTest.class.getResource("/render/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ClusterConfig lab(Path... more) throws Exception {
        List<Path> files = new java.util.ArrayList<>(List.of(resource("cluster.yaml")));
        files.addAll(List.of(more));
        return new ConfigLoader().load(files);
    }

    static String manifest(List<RenderedFile> files) {
        return files.stream().map(f -> f.path() + " " + String.format("%04o", f.mode())
                + f.linkTarget().map(t -> " -> " + t).orElse("")).collect(Collectors.joining("\n", "", "\n"));
    }

    private static void assertRendersAsExpected(String node, String family) throws Exception {
        ClusterConfig c = lab();
        List<RenderedFile> files = new ConfigRenderer().render(c, c.node(node).orElseThrow());
        assertEquals(Files.readString(resource("expected/" + family + ".manifest")), manifest(files));
        for (RenderedFile f : files) {
            if (f.linkTarget().isEmpty()) {
                byte[] expected = Files.readAllBytes(resource("expected/" + family + "/" + f.path()));
                assertEquals(new String(expected, StandardCharsets.UTF_8), new String(f.content(), StandardCharsets.UTF_8),
                        f.path());
            }
        }
    }

    @Test
    void debianNode_getsNetworkdHostnameHostsAndUnitSymlinks_asExpected() throws Exception {
        assertRendersAsExpected("deb-01", "debian");
    }

    @Test
    void rhelNode_getsANetworkManagerKeyfileWithMode0600_asExpected() throws Exception {
        assertRendersAsExpected("rhel-01", "rhel");
    }

    @Test
    void gentooNode_getsNetifrcAndRunlevelSymlinks_asExpected() throws Exception {
        assertRendersAsExpected("gentoo-01", "gentoo");
    }

    @Test
    void render_isDeterministic_sameDocumentsGiveTheSameBytesInTheSameOrder() throws Exception {
        ClusterConfig a = lab();
        ClusterConfig b = lab();
        List<RenderedFile> x = new ConfigRenderer().render(a, a.node("rhel-01").orElseThrow());
        List<RenderedFile> y = new ConfigRenderer().render(b, b.node("rhel-01").orElseThrow());
        assertEquals(manifest(x), manifest(y));
        for (int i = 0; i < x.size(); i++) {
            assertArrayEquals(x.get(i).content(), y.get(i).content(), x.get(i).path());
        }
    }

    @Test
    void sameNode_rendersForEitherFamily_fromTheSameDocuments() throws Exception {
        ClusterConfig c = lab();
        Node n = c.node("deb-01").orElseThrow();
        String rhel = manifest(new ConfigRenderer().render(c, n, Profile.OsFamily.RHEL));
        assertTrue(rhel.contains("etc/NetworkManager/system-connections/meshboot.nmconnection 0600\n"), rhel);
        assertTrue(rhel.contains("-> /usr/lib/systemd/system/ssh.service"), rhel);
        assertFalse(rhel.contains("systemd-networkd"), rhel);
    }

    @Test
    void templateDocument_replacesTheBuiltInWithItsPath_andAddsItsOwnFile() throws Exception {
        Path extra = dir.resolve("templates.yaml");
        Files.writeString(extra, """
                kind: Template
                name: hosts
                spec:
                  os: debian
                  path: etc/hosts
                  body: "{{address}} {{hostname}}\\n"
                ---
                kind: Template
                name: motd
                spec:
                  os: debian
                  path: etc/motd
                  mode: "0444"
                  body: |
                    {{hostname}} runs {{#each services}}{{.}}{{#between}}, {{/between}}{{/each}}.
                ---
                kind: Template
                name: rhel-only
                spec: {os: rhel, path: etc/motd, body: "rhel\\n"}
                """);
        ClusterConfig c = lab(extra);
        List<RenderedFile> files = new ConfigRenderer().render(c, c.node("deb-01").orElseThrow());
        RenderedFile hosts = files.stream().filter(f -> f.path().equals("etc/hosts")).findFirst().orElseThrow();
        assertEquals("10.99.0.11 deb-01\n", new String(hosts.content(), StandardCharsets.UTF_8));
        RenderedFile motd = files.stream().filter(f -> f.path().equals("etc/motd")).findFirst().orElseThrow();
        assertEquals("deb-01 runs ssh, chrony, getty@tty1.\n", new String(motd.content(), StandardCharsets.UTF_8));
        assertEquals(0444, motd.mode());
        assertEquals(files.stream().map(RenderedFile::path).sorted().toList(),
                files.stream().map(RenderedFile::path).toList(), "path order");
    }

    @Test
    void networkWithoutGatewayOrDomain_rendersNeitherLine() throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, Files.readString(resource("cluster.yaml")).replace("      gateway: 10.99.0.1\n", "")
                .replace("      domain: lab.example\n", ""));
        ClusterConfig c = new ConfigLoader().load(List.of(f));
        String network = new String(new ConfigRenderer().render(c, c.node("deb-01").orElseThrow()).stream()
                .filter(x -> x.path().endsWith(".network")).findFirst().orElseThrow().content(), StandardCharsets.UTF_8);
        assertFalse(network.contains("Gateway="), network);
        assertFalse(network.contains("Domains="), network);
        assertTrue(network.endsWith("DNS=10.99.0.1\nDNS=9.9.9.9\n"), network);
        String hosts = new String(new ConfigRenderer().render(c, c.node("deb-01").orElseThrow()).stream()
                .filter(x -> x.path().equals("etc/hosts")).findFirst().orElseThrow().content(), StandardCharsets.UTF_8);
        assertEquals("127.0.0.1\tlocalhost\n10.99.0.11\tdeb-01\n", hosts);
    }
}
