package dev.meshboot.node.http;

import dev.meshboot.bootstrap.artifacts.ArtifactStore;
import dev.meshboot.bootstrap.artifacts.BootArtifacts;
import dev.meshboot.clusterconfig.Mac;
import dev.meshboot.images.SnapshotException;
import dev.meshboot.images.manifest.ArchiveManifest;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.paths.ConfinedPath;
import dev.meshboot.images.store.ChunkStore;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.node.mesh.PendingSnapshots;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The paths a boot server serves:
 * <pre>
 *   /boot/MAC.ipxe                       the machine's iPXE script (text/plain)
 *   /boot/NAME                           a boot file: kernel, initramfs, iPXE binaries (confined to the boot dir)
 *   /snapshots/ID/core, /extras          an archive: its stored zstd frames back to back; ETag = its SHA-256
 *   /snapshots/ID/manifest.json, .sig    the manifest and its signature
 *   /snapshots/ID/boot/NAME              a boot artifact of the snapshot (vmlinuz, initrd.img, ipxe.efi, ...)
 *   /snapshots/ID/artifacts.json         the snapshot's boot-artifact index, for peers
 *   /snapshots/ID/held                   which of the snapshot's chunks this server holds (also while fetching it)
 *   /chunks/ID                           one stored chunk, for /init and peers
 *   /blobs/SHA256                        one boot-artifact blob, for peers
 *   /nodes/NAME/config.tar               the node's config archive, rendered from the documents
 *   POST /nodes/NAME/booted              the node's booted.json, reported by /init
 * </pre>
 * Only complete snapshots exist in the store (a manifest is written last), so nothing half-written is served. A
 * chunk is served only after it was verified ({@link VerifiedChunkFiles}); an archive only while every chunk file
 * has its manifest's size. A chunk found damaged is quarantined and reported to {@link #chunkFiles()}'s listener.
 */
public final class StoreBootContent implements BootContent {
    private static final Pattern SCRIPT = Pattern.compile("/boot/([0-9a-f:]{17})\\.ipxe");
    private static final Pattern ARCHIVE = Pattern.compile("/snapshots/([0-9a-f]{64})/([A-Za-z0-9._-]+)");
    private static final Pattern CHUNK = Pattern.compile("/chunks/([0-9a-f]{64})");
    private static final Pattern ARTIFACT = Pattern.compile("/snapshots/([0-9a-f]{64})/boot/([A-Za-z0-9._+-]{1,64})");
    private static final Pattern BLOB = Pattern.compile("/blobs/([0-9a-f]{64})");
    private static final Pattern HELD = Pattern.compile("/snapshots/([0-9a-f]{64})/held");
    private static final Pattern ARTIFACTS = Pattern.compile("/snapshots/([0-9a-f]{64})/artifacts\\.json");
    private static final Pattern CONFIG = Pattern.compile("/nodes/([a-z0-9][a-z0-9._-]{0,62})/config\\.tar");
    private static final Pattern BOOTED = Pattern.compile("/nodes/([a-z0-9][a-z0-9._-]{0,62})/booted");

    /** Where the per-node parts come from. */
    public interface Nodes {
        /** The node's config archive (a plain tar), if the node exists. */
        Optional<byte[]> configArchive(String node);

        /** Records a node's report; false if the node is unknown or the report malformed. */
        boolean booted(String node, byte[] report, java.net.InetSocketAddress from);

        Nodes NONE = new Nodes() {
            @Override
            public Optional<byte[]> configArchive(String node) {
                return Optional.empty();
            }

            @Override
            public boolean booted(String node, byte[] report, java.net.InetSocketAddress from) {
                return false;
            }
        };
    }
    private static final String BINARY = "application/octet-stream";

    private final SnapshotStore store;
    private final Path bootDir;
    private final Function<Mac, Optional<String>> scripts;
    private final ArtifactStore artifacts;
    private final PendingSnapshots pending;
    private final Nodes nodes;
    private final VerifiedChunkFiles chunkFiles;
    private final Map<String, SnapshotStore.Snapshot> snapshots = new ConcurrentHashMap<>();
    private final Map<String, String> fileHashes = new ConcurrentHashMap<>();

    public StoreBootContent(SnapshotStore store, Path bootDir, Function<Mac, Optional<String>> scripts)
            throws IOException {
        this(store, bootDir, scripts, Nodes.NONE);
    }

    public StoreBootContent(SnapshotStore store, Path bootDir, Function<Mac, Optional<String>> scripts, Nodes nodes)
            throws IOException {
        this.store = store;
        this.bootDir = bootDir;
        this.scripts = scripts;
        this.artifacts = new ArtifactStore(store.root());
        this.pending = new PendingSnapshots(store);
        this.nodes = nodes;
        this.chunkFiles = new VerifiedChunkFiles(store.chunks());
    }

    /** Which chunk files may be served; tell it who repairs a chunk found corrupt while serving. */
    public VerifiedChunkFiles chunkFiles() {
        return chunkFiles;
    }

    @Override
    public boolean report(String path, byte[] body, java.net.InetSocketAddress client) {
        Matcher m = BOOTED.matcher(path);
        return m.matches() && nodes.booted(m.group(1), body, client);
    }

    @Override
    public Optional<Representation> resolve(String path) {
        Matcher m;
        if ((m = SCRIPT.matcher(path)).matches()) {
            Mac mac;
            try {
                mac = Mac.parse(m.group(1));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            return scripts.apply(mac).map(text -> {
                byte[] b = text.getBytes(StandardCharsets.UTF_8);
                return Representation.of("text/plain; charset=utf-8", sha256(b),
                        List.of(new Representation.BytesSpan(b, 0, b.length)));
            });
        }
        if ((m = ARTIFACT.matcher(path)).matches()) {
            String name = m.group(2);
            return artifactIndex(m.group(1)).flatMap(a -> a.file(name)).flatMap(b -> blob(b.sha256()));
        }
        if ((m = BLOB.matcher(path)).matches()) {
            return blob(m.group(1));
        }
        if ((m = ARTIFACTS.matcher(path)).matches()) {
            return artifactIndex(m.group(1)).map(a -> {
                byte[] b = a.toJson();
                return Representation.of("application/json", sha256(b), List.of(new Representation.BytesSpan(b, 0, b.length)));
            });
        }
        if ((m = HELD.matcher(path)).matches()) {
            try {
                // Not cached: it changes with every chunk a fetching member stores. ETag = the bits' hash.
                return pending.held(m.group(1)).map(bits -> {
                    byte[] b = (bits + "\n").getBytes(StandardCharsets.US_ASCII);
                    return Representation.of("text/plain", sha256(b), List.of(new Representation.BytesSpan(b, 0, b.length)));
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if ((m = CONFIG.matcher(path)).matches()) {
            return nodes.configArchive(m.group(1)).map(b -> Representation.of("application/x-tar", sha256(b),
                    List.of(new Representation.BytesSpan(b, 0, b.length))));
        }
        if ((m = ARCHIVE.matcher(path)).matches()) {
            return archive(m.group(1), m.group(2));
        }
        if ((m = CHUNK.matcher(path)).matches()) {
            String id = m.group(1);
            Path file = store.chunks().pathOf(id);
            return chunkFiles.servable(id).map(size -> Representation.of(BINARY, id,
                    List.of(new Representation.FileSpan(file, 0, size))));
        }
        if (path.startsWith("/boot/")) {
            return bootFile(path.substring("/boot/".length()));
        }
        return Optional.empty();
    }

    private Optional<Representation> archive(String id, String name) {
        SnapshotStore.Snapshot snap = snapshots.computeIfAbsent(id, this::load);
        if (snap == null) {
            return Optional.empty();
        }
        if (name.equals("manifest.json") || name.equals("manifest.sig")) {
            Path f = store.root().resolve("snapshots").resolve(id + (name.endsWith(".json") ? ".json" : ".sig"));
            return regularFile(f).map(size -> Representation.of(name.endsWith(".json") ? "application/json" : BINARY,
                    name.endsWith(".json") ? id : id + "-sig", List.of(new Representation.FileSpan(f, 0, size))));
        }
        Optional<ArchiveManifest> archive = snap.manifest().archive(name);
        if (archive.isEmpty()) {
            return Optional.empty();
        }
        ChunkStore chunks = store.chunks();
        List<Representation.FileSpan> spans = new ArrayList<>();
        for (ChunkRef c : archive.get().chunks()) {
            if (!chunkFiles.hasSize(c.id(), c.csize())) {
                return Optional.empty(); // missing or damaged: the client fetches it elsewhere, or per chunk
            }
            spans.add(new Representation.FileSpan(chunks.pathOf(c.id()), 0, c.csize()));
        }
        return Optional.of(Representation.of("application/zstd", archive.get().sha256(), spans));
    }

    private Optional<BootArtifacts> artifactIndex(String snapshot) {
        try {
            return artifacts.of(snapshot);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A blob by its SHA-256, which is also its ETag. */
    private Optional<Representation> blob(String sha) {
        Path f = artifacts.blobPath(sha);
        return regularFile(f).map(size -> Representation.of(BINARY, sha,
                List.of(new Representation.FileSpan(f, 0, size))));
    }

    /** The file behind a boot artifact of a snapshot, for the TFTP server. */
    public Optional<Path> artifactFile(String snapshot, String name) {
        return artifactIndex(snapshot).flatMap(a -> a.file(name)).map(b -> artifacts.blobPath(b.sha256()))
                .filter(Files::isRegularFile);
    }

    private SnapshotStore.Snapshot load(String id) {
        try {
            // Serving does not judge trust: every client verifies what it downloads against a signed manifest.
            return store.load(id, true, List.of());
        } catch (SnapshotException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Optional<Representation> bootFile(String name) {
        Path file;
        try {
            file = ConfinedPath.resolve(bootDir, name);
            ConfinedPath.requireNoSymlinkAncestors(bootDir, file, name);
            if (Files.isSymbolicLink(file) && !file.toRealPath().startsWith(bootDir.toRealPath())) {
                return Optional.empty();
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return regularFile(file).map(size -> Representation.of(BINARY, hashOf(file, size),
                List.of(new Representation.FileSpan(file, 0, size))));
    }

    private static Optional<Long> regularFile(Path f) {
        try {
            return Files.isRegularFile(f) ? Optional.of(Files.size(f)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** SHA-256 of a boot file, cached by path, size and modification time: kernels are hashed once, not per request. */
    private String hashOf(Path file, long size) {
        try {
            String key = file + ":" + size + ":" + Files.getLastModifiedTime(file).toMillis();
            return fileHashes.computeIfAbsent(key, k -> {
                try (InputStream in = Files.newInputStream(file)) {
                    MessageDigest d = ChunkStore.sha256();
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        d.update(buf, 0, n);
                    }
                    return HexFormat.of().formatHex(d.digest());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] b) {
        return HexFormat.of().formatHex(ChunkStore.sha256().digest(b));
    }
}
