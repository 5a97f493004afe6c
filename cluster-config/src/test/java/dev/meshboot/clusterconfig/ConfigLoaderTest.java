package dev.meshboot.clusterconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private static final String CLUSTER = """
            kind: Cluster
            name: lab
            spec:
              bootServers: 1
              networks:
                - name: prov
                  subnet: 10.99.0.0/24
                  gateway: 10.99.0.1
                  dns: [10.99.0.1]
                  domain: lab.test
                  leaseSeconds: 600
                  pool: {start: 10.99.0.100, end: 10.99.0.199}
            ---
            kind: Profile
            name: compute
            spec:
              os: debian
              install: ram
              services: [ssh, chrony]
            """;

    private static String node(String name, String mac, String address) {
        return """
                ---
                kind: Node
                name: %s
                spec:
                  mac: %s
                  address: %s
                  profile: compute
                """.formatted(name, mac, address);
    }

    private ClusterConfig load(String yaml) throws Exception {
        Path f = dir.resolve("cluster.yaml");
        Files.writeString(f, yaml);
        return new ConfigLoader().load(List.of(f));
    }

    private ConfigException refused(String yaml) {
        return assertThrows(ConfigException.class, () -> load(yaml));
    }

    private static ConfigError only(ConfigException e) {
        assertEquals(1, e.errors().size(), e.getMessage());
        return e.errors().getFirst();
    }

    @Test
    void validDocuments_areLoaded_andNodesFoundByMac() throws Exception {
        ClusterConfig c = load(CLUSTER + node("node-01", "52:54:00:AA:00:01", "10.99.0.11"));
        Node n = c.nodeByMac(Mac.parse("52-54-00-aa-00-01")).orElseThrow();
        assertEquals("node-01", n.hostname());
        assertEquals("10.99.0.11", n.address().toString());
        assertEquals("prov", n.network(), "the only network is the default");
        assertEquals("stable", n.channel());
        assertEquals(Profile.InstallMode.RAM, c.installMode(n));
        assertEquals("255.255.255.0", c.cluster().networks().getFirst().subnet().netmask().toString());
    }

    @Test
    void malformedMac_namesFileFieldValueAndReason() {
        ConfigError e = only(refused(CLUSTER + node("node-01", "52:54:00:zz:00:01", "10.99.0.11")));
        assertTrue(e.file().endsWith("cluster.yaml"));
        assertEquals("Node node-01 spec.mac", e.field());
        assertEquals("52:54:00:zz:00:01", e.value());
        assertTrue(e.reason().startsWith("not a MAC address"), e.reason());
    }

    @Test
    void duplicateMac_isRefused() {
        ConfigError e = only(refused(CLUSTER + node("node-01", "52:54:00:00:00:01", "10.99.0.11")
                + node("node-02", "52:54:00:00:00:01", "10.99.0.12")));
        assertEquals("Node node-02 spec.mac", e.field());
        assertTrue(e.reason().contains("duplicate MAC: node node-01"), e.reason());
    }

    @Test
    void duplicateAddress_isRefused() {
        ConfigError e = only(refused(CLUSTER + node("node-01", "52:54:00:00:00:01", "10.99.0.11")
                + node("node-02", "52:54:00:00:00:02", "10.99.0.11")));
        assertEquals("Node node-02 spec.address", e.field());
        assertTrue(e.reason().contains("duplicate address"), e.reason());
    }

    @Test
    void addressOutsideItsSubnet_isRefused() {
        ConfigError e = only(refused(CLUSTER + node("node-01", "52:54:00:00:00:01", "10.98.0.11")));
        assertEquals("10.98.0.11", e.value());
        assertTrue(e.reason().contains("outside subnet 10.99.0.0/24"), e.reason());
    }

    @Test
    void addressInsideThePool_isRefused() {
        ConfigError e = only(refused(CLUSTER + node("node-01", "52:54:00:00:00:01", "10.99.0.150")));
        assertTrue(e.reason().contains("dynamic pool"), e.reason());
    }

    @Test
    void unknownProfile_isRefused() {
        ConfigError e = only(refused(CLUSTER + node("node-01", "52:54:00:00:00:01", "10.99.0.11")
                .replace("profile: compute", "profile: storage")));
        assertEquals("Node node-01 spec.profile", e.field());
        assertEquals("storage", e.value());
        assertEquals("no such Profile", e.reason());
    }

    @Test
    void everyMistake_isReported_notOnlyTheFirst() {
        ConfigException e = refused(CLUSTER + node("node-01", "bad", "10.99.0.300") + node("Bad_Name", "x", "y"));
        assertTrue(e.errors().size() >= 3, e.getMessage());
        assertTrue(e.getMessage().contains("spec.address = '10.99.0.300'"), e.getMessage());
    }

    @Test
    void moreBootServersThanNodes_isRefused() {
        ConfigError e = only(refused(CLUSTER.replace("bootServers: 1", "bootServers: 3")
                + node("node-01", "52:54:00:00:00:01", "10.99.0.11")));
        assertEquals("Cluster lab spec.bootServers", e.field());
    }

    @Test
    void unknownField_isRefused_ratherThanIgnored() {
        ConfigError e = only(refused(CLUSTER + node("node-01", "52:54:00:00:00:01", "10.99.0.11")
                .replace("profile: compute", "profile: compute\n  hostnam: typo")));
        assertEquals("Node node-01 spec.hostnam", e.field());
        assertTrue(e.reason().startsWith("unknown field"), e.reason());
    }

    @Test
    void badPool_andGatewayOutsideSubnet_areRefused() {
        ConfigException e = refused(CLUSTER.replace("gateway: 10.99.0.1", "gateway: 10.1.0.1")
                .replace("end: 10.99.0.199", "end: 10.99.0.50") + node("node-01", "52:54:00:00:00:01", "10.99.0.11"));
        assertTrue(e.getMessage().contains("spec.networks.0.gateway = '10.1.0.1': outside subnet"), e.getMessage());
        assertTrue(e.getMessage().contains("start is after end"), e.getMessage());
    }

    @Test
    void invalidYaml_namesTheFileAndLine() {
        ConfigError e = only(refused("kind: Cluster\nname: [unclosed\n"));
        assertEquals("(file)", e.field());
        assertTrue(e.reason().contains("not valid YAML/JSON"), e.reason());
    }

    @Test
    void jsonArrays_areAccepted() throws Exception {
        Path f = dir.resolve("c.json");
        Files.writeString(f, """
                [{"kind": "Cluster", "name": "j", "spec": {"networks": [{"name": "n", "subnet": "192.168.7.0/24"}]}},
                 {"kind": "Profile", "name": "p", "spec": {"os": "gentoo", "install": "disk"}},
                 {"kind": "Node", "name": "a", "meta": {"version": "1"}, "spec": {"mac": "02:00:00:00:00:01",
                  "address": "192.168.7.5", "profile": "p"}}]
                """);
        ClusterConfig c = new ConfigLoader().load(List.of(f));
        assertEquals(Profile.InstallMode.DISK, c.installMode(c.node("a").orElseThrow()));
    }

    @Test
    void sameDocumentInTwoFiles_isRefused() throws IOException {
        Path a = dir.resolve("a.yaml");
        Path b = dir.resolve("b.yaml");
        Files.writeString(a, CLUSTER + node("node-01", "52:54:00:00:00:01", "10.99.0.11"));
        Files.writeString(b, node("node-01", "52:54:00:00:00:02", "10.99.0.12").substring(4));
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().load(List.of(a, b)));
        assertTrue(e.getMessage().contains("defined twice"), e.getMessage());
    }

    private static final String SNAPSHOT = "ab".repeat(32);

    @Test
    void channel_pointsNodesAtASnapshot_andDiskLayoutAndReinstallAreRead() throws Exception {
        ClusterConfig c = load(CLUSTER + """
                ---
                kind: Profile
                name: storage
                spec:
                  os: debian
                  install: disk
                  disk: {device: /dev/vda, root: 2GiB, persistent: /persist}
                ---
                kind: Channel
                name: stable
                spec: {snapshot: %s}
                ---
                kind: Node
                name: node-01
                spec: {mac: "52:54:00:00:00:01", address: 10.99.0.11, profile: storage, reinstall: 3}
                """.formatted(SNAPSHOT));
        Node n = c.node("node-01").orElseThrow();
        assertEquals(java.util.Optional.of(SNAPSHOT), c.snapshotFor(n));
        assertEquals(3, n.reinstall());
        Profile.Disk disk = c.profileOf(n).disk();
        assertEquals(java.util.Optional.of("/dev/vda"), disk.device());
        assertEquals(2048, disk.rootMiB());
        assertEquals(java.util.Optional.of("/persist"), disk.persistent());
        assertEquals(Profile.InstallMode.DISK, c.installMode(n));
    }

    @Test
    void aPinnedSnapshot_winsOverTheChannel_andAMalformedOneIsRefused() throws Exception {
        String pinned = "cd".repeat(32);
        ClusterConfig c = load(CLUSTER + """
                ---
                kind: Channel
                name: stable
                spec: {snapshot: %s}
                ---
                kind: Node
                name: held-back
                spec: {mac: "52:54:00:00:00:01", address: 10.99.0.11, profile: compute, snapshot: %s}
                """.formatted(SNAPSHOT, pinned));
        assertEquals(java.util.Optional.of(pinned), c.snapshotFor(c.node("held-back").orElseThrow()));
        ConfigError e = only(refused(CLUSTER + """
                ---
                kind: Node
                name: bad-pin
                spec: {mac: "52:54:00:00:00:01", address: 10.99.0.11, profile: compute, snapshot: latest}
                """));
        assertEquals("Node bad-pin spec.snapshot", e.field());
        assertEquals("latest", e.value());
    }

    @Test
    void channelWithAMalformedSnapshotId_isRefused() {
        ConfigError e = only(refused(CLUSTER + """
                ---
                kind: Channel
                name: stable
                spec: {snapshot: abc}
                """));
        assertEquals("Channel stable spec.snapshot", e.field());
        assertEquals("abc", e.value());
        assertTrue(e.reason().contains("64 lower-case hex"), e.reason());
    }

    @Test
    void diskLayoutMistakes_areNamed() {
        ConfigException e = refused(CLUSTER.replace("services: [ssh, chrony]",
                "services: [ssh]\n  disk: {device: vda, root: 10MiB, persistent: ../x, size: 1}"));
        List<String> fields = e.errors().stream().map(ConfigError::field).sorted().toList();
        assertEquals(List.of("Profile compute spec.disk.device", "Profile compute spec.disk.persistent",
                "Profile compute spec.disk.root", "Profile compute spec.disk.size"), fields, e.getMessage());
        assertTrue(e.getMessage().contains("at least 64MiB"), e.getMessage());
    }

    @Test
    void profileWithAParent_inheritsWhatItLeavesOut_andReplacesWhatItWrites() throws Exception {
        ClusterConfig c = load(CLUSTER + """
                ---
                kind: Profile
                name: storage
                spec: {parent: compute, install: disk, disk: {root: 2GiB}}
                ---
                kind: Profile
                name: big-storage
                spec: {parent: storage, services: [nfs-server]}
                """ + node("node-01", "52:54:00:00:00:01", "10.99.0.11").replace("compute", "big-storage"));
        Profile p = c.profileOf(c.node("node-01").orElseThrow());
        assertEquals(Profile.OsFamily.DEBIAN, p.os(), "from compute, two levels up");
        assertEquals(Profile.InstallMode.DISK, p.install(), "from storage");
        assertEquals(2048, p.disk().rootMiB(), "from storage");
        assertEquals(List.of("nfs-server"), p.services(), "its own list replaces the parent's");
        assertEquals(java.util.Optional.of("storage"), p.parent());
        assertEquals(List.of("ssh", "chrony"), c.profile("storage").orElseThrow().services());
    }

    @Test
    void profileCycle_isRefused_withOneErrorNamingTheCycleInOrder() {
        ConfigException e = refused(CLUSTER + """
                ---
                kind: Profile
                name: c
                spec: {parent: a}
                ---
                kind: Profile
                name: b
                spec: {parent: c}
                ---
                kind: Profile
                name: a
                spec: {parent: b, os: rhel}
                ---
                kind: Profile
                name: leaf
                spec: {parent: b}
                """ + node("node-01", "52:54:00:00:00:01", "10.99.0.11").replace("compute", "leaf"));
        ConfigError only = only(e);
        assertEquals("Profile a spec.parent", only.field());
        assertEquals("b", only.value());
        assertEquals("inheritance cycle: a -> b -> c -> a", only.reason());
    }

    @Test
    void profileSelfParent_isACycle() {
        ConfigError e = only(refused(CLUSTER.replace("install: ram", "install: ram\n  parent: compute")));
        assertEquals("inheritance cycle: compute -> compute", e.reason());
    }

    @Test
    void unknownParent_isRefused_andAProfileWithNoOsAnywhere_too() {
        ConfigException e = refused(CLUSTER + """
                ---
                kind: Profile
                name: orphan
                spec: {parent: nowhere}
                ---
                kind: Profile
                name: bare
                spec: {install: disk}
                """);
        List<String> errors = e.errors().stream().map(x -> x.field() + " = " + x.value() + ": " + x.reason()).sorted()
                .toList();
        assertEquals(List.of("Profile bare spec.os = : required (neither this profile nor a parent names one)",
                "Profile orphan spec.parent = nowhere: no such Profile"), errors);
    }

    @Test
    void templateWithAnUnknownVariable_isRefusedAtLoad_withTemplateNameLineAndVariable() {
        ConfigError e = only(refused(CLUSTER + """
                ---
                kind: Template
                name: net
                spec:
                  os: debian
                  path: etc/systemd/network/20-extra.network
                  body: |
                    [Network]
                    Address={{address}}/{{prefix}}
                    Gateway={{ gatway }}
                """));
        assertEquals("Template net spec.body line 3", e.field());
        assertEquals("gatway", e.value());
        assertTrue(e.reason().startsWith("unknown variable (known: "), e.reason());
    }

    @Test
    void template_isLoaded_andItsPathModeAndDuplicatesAreChecked() throws Exception {
        ClusterConfig c = load(CLUSTER + """
                ---
                kind: Template
                name: motd
                spec: {os: debian, path: etc/motd, mode: "0600", body: "hi {{hostname}}\n"}
                """);
        Template t = c.templates().getFirst();
        assertEquals(Profile.OsFamily.DEBIAN, t.os());
        assertEquals(0600, t.mode());
        ConfigException e = refused(CLUSTER + """
                ---
                kind: Template
                name: a
                spec: {os: rhel, path: /etc/motd, mode: 0644, body: x}
                ---
                kind: Template
                name: b
                spec: {os: rhel, path: etc/../motd, body: x}
                ---
                kind: Template
                name: c
                spec: {os: rhel, path: etc/issue, body: x}
                ---
                kind: Template
                name: d
                spec: {os: rhel, path: etc/issue, body: x}
                """);
        List<String> fields = e.errors().stream().map(ConfigError::field).sorted().toList();
        assertEquals(List.of("Template a spec.mode", "Template a spec.path", "Template b spec.path",
                "Template d spec.path"), fields, e.getMessage());
        assertTrue(e.getMessage().contains("Template c renders the same file for rhel"), e.getMessage());
    }

    @Test
    void rolloutPolicy_andNodeHooks_areRead() throws Exception {
        ClusterConfig c = load(CLUSTER.replace("  bootServers: 1\n",
                "  bootServers: 1\n  rollout: {batch: 2, maxFailures: 0, healthTimeout: 5m}\n") + """
                ---
                kind: Node
                name: node-01
                spec:
                  mac: "52:54:00:00:00:01"
                  address: 10.99.0.11
                  profile: compute
                  hooks:
                    drain: /usr/local/bin/drain --wait 600
                    power: [/usr/bin/ipmitool, -H, bmc-01, chassis, power, cycle]
                """);
        assertEquals(new Cluster.Rollout(2, 0, java.time.Duration.ofMinutes(5)), c.cluster().rollout());
        Node.Hooks h = c.node("node-01").orElseThrow().hooks();
        assertEquals(List.of("/usr/local/bin/drain", "--wait", "600"), h.drain());
        assertEquals(List.of("/usr/bin/ipmitool", "-H", "bmc-01", "chassis", "power", "cycle"), h.power());
        assertEquals(List.of(), h.undrain());
    }

    @Test
    void rolloutAndHookMistakes_areNamed() {
        ConfigException e = refused(CLUSTER.replace("  bootServers: 1\n",
                "  bootServers: 1\n  rollout: {batch: 0, healthTimeout: 2s}\n") + """
                ---
                kind: Node
                name: node-01
                spec:
                  mac: "52:54:00:00:00:01"
                  address: 10.99.0.11
                  profile: compute
                  hooks: {drain: "drain-it", reboot: /x}
                """);
        List<String> fields = e.errors().stream().map(ConfigError::field).sorted().toList();
        assertEquals(List.of("Cluster lab spec.rollout.batch", "Cluster lab spec.rollout.healthTimeout",
                "Node node-01 spec.hooks.drain", "Node node-01 spec.hooks.reboot"), fields, e.getMessage());
    }
}
