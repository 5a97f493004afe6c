package dev.meshboot.images.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.images.BuildSpecException;
import dev.meshboot.images.ChunkIntegrityException;
import dev.meshboot.images.SnapshotTrustException;
import dev.meshboot.images.manifest.ArchiveManifest;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.read.SnapshotReader;
import dev.meshboot.images.sample.SampleTree;
import dev.meshboot.images.signing.KeyFiles;
import dev.meshboot.images.store.SnapshotStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotBuildTest {
    @TempDir
    Path dir;

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-22T00:00:00Z"), ZoneOffset.UTC);
    private final KeyPair key = KeyFiles.generate();
    private Path rootfs;
    private SnapshotStore store;
    private SnapshotBuilder builder;

    @BeforeEach
    void setUp() throws IOException {
        rootfs = new SampleTree(7).create(dir.resolve("rootfs"));
        store = SnapshotStore.open(dir.resolve("store"));
        store.trust(key.getPublic());
        builder = new SnapshotBuilder(store, clock, BuildListener.NONE);
    }

    private SnapshotBuilder.Result build() throws IOException {
        return builder.build(rootfs, SnapshotBuilder.Options.defaults("sample").withKey(key).withChunkSize(64 << 10));
    }

    private Path extract(String id, List<String> archives) throws IOException {
        Path to = dir.resolve("x-" + archives.size() + "-" + id.substring(0, 8) + "-" + System.nanoTime());
        new SnapshotReader(store, store.load(id, false, List.of())).extract(archives, to, w -> {});
        return to;
    }

    private static List<String> chunkIds(SnapshotBuilder.Result r) {
        return r.manifest().archives().stream().flatMap(a -> a.chunks().stream()).map(ChunkRef::id).toList();
    }

    @Test
    void rebuildingAnUnchangedTree_givesTheSameChunks_andStoresNothingNew() throws IOException {
        SnapshotBuilder.Result first = build();
        SnapshotBuilder.Result second = build();
        assertEquals(chunkIds(first), chunkIds(second));
        assertEquals(0, second.newChunks());
        assertEquals(first.id(), second.manifest().parent(), "the second build records the first as its parent");
        assertNotEquals(first.id(), second.id());
    }

    @Test
    void changingOneFile_storesOnlyTheChunksAroundIt() throws IOException {
        SnapshotBuilder.Result first = build();
        Files.writeString(rootfs.resolve("etc/hostname"), "renamed\n");
        SnapshotBuilder.Result second = build();
        assertTrue(second.newChunks() >= 1 && second.newChunks() <= 2, second.newChunks() + " new chunks");
        assertTrue(second.totalChunks() > 20);
        Set<String> before = Set.copyOf(chunkIds(first));
        assertEquals(second.newChunks(), chunkIds(second).stream().filter(id -> !before.contains(id)).distinct().count());
    }

    @Test
    void defaultSpec_leavesOutNodeIdentity_andKeepsTheDirectories() throws IOException {
        Path x = extract(build().id(), List.of("core", "extras"));
        assertFalse(Files.exists(x.resolve("etc/ssh/ssh_host_ed25519_key")), "ssh host key must not be in a snapshot");
        assertTrue(Files.exists(x.resolve("etc/ssh/sshd_config")));
        assertEquals(0, Files.size(x.resolve("etc/machine-id")), "machine-id is kept empty, for systemd to fill");
        assertTrue(Files.isDirectory(x.resolve("tmp")));
        try (Stream<Path> s = Files.list(x.resolve("tmp"))) {
            assertEquals(0, s.count(), "tmp contents are left out");
        }
    }

    @Test
    void extras_holdsDocsAndHeaders_andCoreAloneStillHasEveryHardLinkName() throws IOException {
        SnapshotBuilder.Result r = build();
        ArchiveManifest extras = r.manifest().archive("extras").orElseThrow();
        assertTrue(extras.files() >= 80, extras.files() + " files in extras");
        Path core = extract(r.id(), List.of("core"));
        assertTrue(Files.exists(core.resolve("usr/bin/tool-1")));
        assertFalse(Files.exists(core.resolve("usr/share/doc/package-1")), "docs belong to extras");
        assertFalse(Files.exists(core.resolve("usr/include/sample.h")), "headers belong to extras");
        // The busybox hard-link group has a name under usr/share/doc: the whole group stays in core.
        Object inode = Files.getAttribute(core.resolve("usr/bin/busybox"), "unix:ino");
        assertEquals(inode, Files.getAttribute(core.resolve("usr/share/doc/busybox-doc-link"), "unix:ino"));
        assertEquals(4 + 1, (int) Files.getAttribute(core.resolve("usr/bin/busybox"), "unix:nlink"));

        Path onlyExtras = extract(r.id(), List.of("extras"));
        assertTrue(Files.exists(onlyExtras.resolve("usr/share/doc/package-1/README")));
        assertFalse(Files.exists(onlyExtras.resolve("usr/bin")));
    }

    @Test
    void buildSpec_withAMistake_namesFileFieldValueAndReason() throws IOException {
        Path spec = dir.resolve("split.json");
        Files.writeString(spec, "{\"extras\": [\"usr/share/doc\", \"/abs\"]}");
        BuildSpecException e = assertThrows(BuildSpecException.class, () -> BuildSpec.read(spec));
        assertTrue(e.getMessage().contains(spec.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("extras[1]"), e.getMessage());
        assertTrue(e.getMessage().contains("\"/abs\""), e.getMessage());
        assertTrue(e.getMessage().contains("relative"), e.getMessage());

        Files.writeString(spec, "{\"extra\": []}");
        assertTrue(assertThrows(BuildSpecException.class, () -> BuildSpec.read(spec)).getMessage()
                .contains("field 'extra': unknown field"));
    }

    @Test
    void customSpec_movesPathsToExtras() throws IOException {
        Path spec = dir.resolve("split.json");
        Files.writeString(spec, "{\"extras\": [\"names\"], \"exclude\": [], \"empty\": []}");
        SnapshotBuilder.Result r = builder.build(rootfs, SnapshotBuilder.Options.defaults("custom").withKey(key)
                .withSpec(BuildSpec.read(spec)));
        Path core = extract(r.id(), List.of("core"));
        assertFalse(Files.exists(core.resolve("names")));
        assertTrue(Files.exists(core.resolve("usr/share/doc/package-1/README")), "usr/share/doc is core now");
        assertTrue(Files.exists(core.resolve("etc/ssh/ssh_host_ed25519_key")), "nothing excluded");
    }

    @Test
    void corruptChunk_isNamedByVerify_andExtractLeavesNoTree() throws IOException {
        SnapshotBuilder.Result r = build();
        ArchiveManifest extras = r.manifest().archive("extras").orElseThrow();
        ChunkRef victim = extras.chunks().get(2);
        Path file = store.chunks().pathOf(victim.id());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(file, bytes);

        SnapshotReader reader = new SnapshotReader(store, store.load(r.id(), false, List.of()));
        ChunkIntegrityException e = assertThrows(ChunkIntegrityException.class, reader::verify);
        assertTrue(e.getMessage().contains("archive 'extras' chunk 2/"), e.getMessage());
        assertTrue(e.getMessage().contains(victim.id()), e.getMessage());

        Path to = dir.resolve("target");
        assertThrows(ChunkIntegrityException.class, () -> reader.extract(List.of("core", "extras"), to, w -> {}));
        assertFalse(Files.exists(to));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(Set.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.contains("partial"))
                    .collect(Collectors.toSet()));
        }
    }

    @Test
    void missingChunk_isNamed() throws IOException {
        SnapshotBuilder.Result r = build();
        ChunkRef victim = r.manifest().archive("core").orElseThrow().chunks().get(0);
        Files.delete(store.chunks().pathOf(victim.id()));
        ChunkIntegrityException e = assertThrows(ChunkIntegrityException.class,
                () -> new SnapshotReader(store, store.load(r.id(), false, List.of())).verify());
        assertTrue(e.getMessage().contains(victim.id()) && e.getMessage().contains("missing"), e.getMessage());
        assertTrue(e.getMessage().contains("archive 'core' chunk 0/"), e.getMessage());
    }

    @Test
    void unsignedSnapshot_isRefusedUnlessInsecure() throws IOException {
        SnapshotBuilder.Result r = builder.build(rootfs, SnapshotBuilder.Options.defaults("unsigned"));
        SnapshotTrustException e = assertThrows(SnapshotTrustException.class, () -> store.load(r.id(), false, List.of()));
        assertTrue(e.getMessage().contains("unsigned"), e.getMessage());
        assertEquals(r.id(), store.load(r.id(), true, List.of()).id());
    }

    @Test
    void snapshotSignedByAForeignKey_isRefused_unlessThatKeyIsTrusted() throws IOException {
        KeyPair foreign = KeyFiles.generate();
        SnapshotBuilder.Result r = builder.build(rootfs, SnapshotBuilder.Options.defaults("foreign").withKey(foreign));
        SnapshotTrustException e = assertThrows(SnapshotTrustException.class, () -> store.load(r.id(), false, List.of()));
        assertTrue(e.getMessage().contains(KeyFiles.keyId(foreign.getPublic())), e.getMessage());
        assertEquals(KeyFiles.keyId(foreign.getPublic()),
                store.load(r.id(), false, List.of(foreign.getPublic())).signerKeyId());
    }

    @Test
    void alteredManifest_isRefused() throws IOException {
        SnapshotBuilder.Result r = build();
        Path manifest = store.root().resolve("snapshots/" + r.id() + ".json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"sample\"", "\"sampl3\""));
        SnapshotTrustException e = assertThrows(SnapshotTrustException.class, () -> store.load(r.id(), true, List.of()));
        assertTrue(e.getMessage().contains("altered"), e.getMessage());
    }

    @Test
    void socket_isSkippedWithAWarning() throws IOException {
        Path socket = rootfs.resolve("run-socket");
        List<String> warnings = new java.util.ArrayList<>();
        try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(java.net.UnixDomainSocketAddress.of(socket));
            SnapshotBuilder.Result r = new SnapshotBuilder(store, clock, new BuildListener() {
                @Override
                public void warning(String message) {
                    warnings.add(message);
                }
            }).build(rootfs, SnapshotBuilder.Options.defaults("socket").withKey(key));
            assertTrue(warnings.stream().anyMatch(w -> w.contains("skipped socket run-socket")), warnings.toString());
            assertFalse(Files.exists(extract(r.id(), List.of("core")).resolve("run-socket")));
        }
    }

    @Test
    void build_leavesNoTemporaryFiles() throws IOException {
        build();
        try (Stream<Path> s = Files.list(store.root().resolve("tmp"))) {
            assertEquals(0, s.count());
        }
    }
}
