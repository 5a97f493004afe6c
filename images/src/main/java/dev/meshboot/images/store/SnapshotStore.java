package dev.meshboot.images.store;

import dev.meshboot.images.SnapshotNotFoundException;
import dev.meshboot.images.SnapshotTrustException;
import dev.meshboot.images.manifest.ManifestCodec;
import dev.meshboot.images.manifest.SnapshotManifest;
import dev.meshboot.images.signing.KeyFiles;
import dev.meshboot.images.signing.ManifestSignature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A snapshot store on local disk:
 * <pre>
 *   chunks/XX/ID.zst        chunks, by SHA-256 of their content ({@link ChunkStore})
 *   snapshots/ID.json       canonical manifest bytes; ID = SHA-256 of this file
 *   snapshots/ID.sig        detached Ed25519 signature ({@link ManifestSignature}), when signed
 *   trusted-keys/KEYID.pub  public keys whose snapshots this store accepts
 *   tmp/                    staging for atomic writes
 *   quarantine/ID.zst       chunks found corrupt, moved aside (never served)
 * </pre>
 * A snapshot exists once its {@code .json} does, and that file is written last, after every chunk and the
 * signature are durable: a crash mid-build leaves unreferenced chunks, never a manifest naming missing ones.
 */
public final class SnapshotStore {
    private final Path root;
    private final Path snapshots;
    private final Path trustedKeys;
    private final Path tmp;
    private final ChunkStore chunks;
    private final ManifestCodec codec = new ManifestCodec();

    private SnapshotStore(Path root) {
        this.root = root;
        this.snapshots = root.resolve("snapshots");
        this.trustedKeys = root.resolve("trusted-keys");
        this.tmp = root.resolve("tmp");
        this.chunks = new ChunkStore(root.resolve("chunks"), tmp, root.resolve("quarantine"));
    }

    /** Opens the store at {@code root}, creating its directories if needed. */
    public static SnapshotStore open(Path root) throws IOException {
        SnapshotStore s = new SnapshotStore(root);
        for (Path dir : List.of(root.resolve("chunks"), s.snapshots, s.trustedKeys, s.tmp)) {
            Files.createDirectories(dir);
        }
        return s;
    }

    public Path root() {
        return root;
    }

    public ChunkStore chunks() {
        return chunks;
    }

    public ManifestCodec codec() {
        return codec;
    }

    /** Writes a manifest (and its signature), after making every chunk durable; returns the snapshot id. */
    public String commit(byte[] manifest, Optional<ManifestSignature> signature) throws IOException {
        String id = ChunkStore.idOf(manifest);
        chunks.syncTouchedDirectories();
        if (signature.isPresent()) {
            AtomicFiles.write(tmp, snapshots.resolve(id + ".sig"), signature.get().toJson());
        }
        AtomicFiles.write(tmp, snapshots.resolve(id + ".json"), manifest);
        AtomicFiles.syncDirectory(snapshots);
        return id;
    }

    /**
     * Removes a committed snapshot: its manifest first (from then on it is not in {@link #ids}), then its signature.
     * Its chunks stay until a garbage collection finds no snapshot naming them. Nothing happens for an unknown id.
     */
    public void remove(String id) throws IOException {
        if (!id.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a snapshot id: " + id);
        }
        Files.deleteIfExists(snapshots.resolve(id + ".json"));
        Files.deleteIfExists(snapshots.resolve(id + ".sig"));
        AtomicFiles.syncDirectory(snapshots);
    }

    /** Every snapshot id in the store, sorted. */
    public List<String> ids() throws IOException {
        try (Stream<Path> files = Files.list(snapshots)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - 5))
                    .filter(n -> n.matches("[0-9a-f]{64}"))
                    .sorted()
                    .toList();
        }
    }

    /** The full id for an id or a unique prefix of at least 4 digits. */
    public String resolve(String idOrPrefix) throws IOException {
        String p = idOrPrefix.toLowerCase();
        if (!p.matches("[0-9a-f]{4,64}")) {
            throw new SnapshotNotFoundException("'" + idOrPrefix + "' is not a snapshot id (4 to 64 hex digits)");
        }
        List<String> matches = ids().stream().filter(id -> id.startsWith(p)).toList();
        if (matches.isEmpty()) {
            throw new SnapshotNotFoundException("no snapshot " + idOrPrefix + " in " + root);
        }
        if (matches.size() > 1) {
            throw new SnapshotNotFoundException("'" + idOrPrefix + "' names " + matches.size()
                    + " snapshots in " + root + "; give more digits");
        }
        return matches.getFirst();
    }

    /**
     * Loads a snapshot and checks it: the manifest hashes to its id, it parses and validates, and (unless
     * {@code insecure}) it is signed by a trusted key. {@code extraTrusted} adds keys to the store's own.
     */
    public Snapshot load(String idOrPrefix, boolean insecure, Collection<PublicKey> extraTrusted) throws IOException {
        String id = resolve(idOrPrefix);
        byte[] bytes = Files.readAllBytes(snapshots.resolve(id + ".json"));
        String actual = ChunkStore.idOf(bytes);
        if (!actual.equals(id)) {
            throw new SnapshotTrustException("snapshot " + id + ": manifest hashes to " + actual
                    + " (the manifest file was altered)");
        }
        SnapshotManifest manifest = codec.read(bytes);
        Path sigFile = snapshots.resolve(id + ".sig");
        Optional<ManifestSignature> sig = Files.exists(sigFile)
                ? Optional.of(ManifestSignature.fromJson(Files.readAllBytes(sigFile), "snapshot " + id))
                : Optional.empty();
        String signer = null;
        if (!insecure) {
            if (sig.isEmpty()) {
                throw new SnapshotTrustException("snapshot " + id + " is unsigned; refusing it (build with --key,"
                        + " or pass --insecure)");
            }
            List<PublicKey> trusted = new ArrayList<>(trustedKeys());
            trusted.addAll(extraTrusted);
            signer = sig.get().verify(bytes, trusted, "snapshot " + id);
        }
        return new Snapshot(id, manifest, bytes, sig.map(ManifestSignature::keyId).orElse(null), signer);
    }

    /** The public keys whose snapshots this store accepts. */
    public List<PublicKey> trustedKeys() throws IOException {
        List<PublicKey> keys = new ArrayList<>();
        try (Stream<Path> files = Files.list(trustedKeys)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".pub")).sorted().toList()) {
                keys.add(KeyFiles.readPublicKey(p));
            }
        }
        return keys;
    }

    /** Adds a key to the trusted set; returns its key id. */
    public String trust(PublicKey key) throws IOException {
        String keyId = KeyFiles.keyId(key);
        AtomicFiles.write(tmp, trustedKeys.resolve(keyId + ".pub"),
                KeyFiles.publicKeyPem(key).getBytes(StandardCharsets.US_ASCII));
        return keyId;
    }

    /** The newest snapshot with this name, to record as a new build's parent. */
    public Optional<String> latestNamed(String name) throws IOException {
        String best = null;
        String bestCreated = "";
        for (String id : ids()) {
            SnapshotManifest m = codec.read(Files.readAllBytes(snapshots.resolve(id + ".json")));
            if (m.name().equals(name) && m.created().compareTo(bestCreated) >= 0) {
                best = id;
                bestCreated = m.created();
            }
        }
        return Optional.ofNullable(best);
    }

    /** A loaded, checked snapshot. {@code signerKeyId} is null when the check was skipped with --insecure. */
    public record Snapshot(String id, SnapshotManifest manifest, byte[] manifestBytes, String signatureKeyId,
            String signerKeyId) {
        public String shortId() {
            return id.substring(0, 12);
        }
    }

}
