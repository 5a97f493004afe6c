package dev.meshboot.node.mesh;

import dev.meshboot.images.manifest.ArchiveManifest;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.manifest.SnapshotManifest;
import dev.meshboot.images.store.AtomicFiles;
import dev.meshboot.images.store.ChunkStore;
import dev.meshboot.images.store.SnapshotStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Snapshots a member is still fetching: their manifests wait in {@code pending/ID.json} (and {@code .sig}) until
 * every chunk is in the store, and only then are committed to {@code snapshots/} (written last, as for a build), so
 * a half-fetched snapshot is never served as a snapshot. Meanwhile the member tells peers which of its chunks it
 * has ({@link #held}), so they can fetch those from it: a member serves what it has while it fetches the rest, and
 * after a restart it resumes from the pending manifest and the chunks already on disk.
 */
public final class PendingSnapshots {
    private final SnapshotStore store;
    private final Path dir;
    /**
     * Each snapshot's chunk ids in {@link #chunks} order, read once: peers ask {@link #held} several times a second
     * while they fetch, and reading, hashing and parsing the manifest for each answer cost milliseconds of a CPU
     * that N members share (bench/replication.sh). A snapshot id is its manifest's hash, so the list never goes
     * stale; only snapshots whose manifest is on disk are answered, so it holds no more entries than the store.
     */
    private final Map<String, List<String>> chunkIds = new ConcurrentHashMap<>();

    public PendingSnapshots(SnapshotStore store) throws IOException {
        this.store = store;
        this.dir = store.root().resolve("pending");
        Files.createDirectories(dir);
    }

    public void put(String id, byte[] manifest, Optional<byte[]> signature) throws IOException {
        if (signature.isPresent()) {
            AtomicFiles.write(store.root().resolve("tmp"), dir.resolve(id + ".sig"), signature.get());
        }
        AtomicFiles.write(store.root().resolve("tmp"), dir.resolve(id + ".json"), manifest);
    }

    public void remove(String id) throws IOException {
        Files.deleteIfExists(dir.resolve(id + ".json"));
        Files.deleteIfExists(dir.resolve(id + ".sig"));
    }

    /** The manifest bytes of a snapshot this member holds complete or is fetching. */
    public Optional<byte[]> manifest(String id) throws IOException {
        if (!id.matches("[0-9a-f]{64}")) {
            return Optional.empty();
        }
        for (Path p : List.of(store.root().resolve("snapshots").resolve(id + ".json"), dir.resolve(id + ".json"))) {
            if (Files.isRegularFile(p)) {
                return Optional.of(Files.readAllBytes(p));
            }
        }
        return Optional.empty();
    }

    /** Every chunk reference of a manifest, archives in order, each chunk once. */
    public static List<ChunkRef> chunks(SnapshotManifest m) {
        List<ChunkRef> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (ArchiveManifest a : m.archives()) {
            for (ChunkRef c : a.chunks()) {
                if (seen.add(c.id())) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    /**
     * Which of a snapshot's chunks ({@link #chunks} order) this member holds: one character per chunk, {@code 1}
     * held or {@code 0} not. 500 MB of 1 MiB chunks is 500 bytes; plain text keeps it debuggable with curl.
     */
    public Optional<String> held(String id) throws IOException {
        if (!id.matches("[0-9a-f]{64}") || (Files.notExists(store.root().resolve("snapshots").resolve(id + ".json"))
                && Files.notExists(dir.resolve(id + ".json")))) {
            return Optional.empty();
        }
        List<String> ids = chunkIds.get(id);
        if (ids == null) {
            Optional<byte[]> bytes = manifest(id);
            if (bytes.isEmpty() || !ChunkStore.idOf(bytes.get()).equals(id)) {
                return Optional.empty();
            }
            ids = chunks(store.codec().read(bytes.get())).stream().map(ChunkRef::id).toList();
            chunkIds.put(id, ids);
        }
        StringBuilder b = new StringBuilder(ids.size());
        for (String c : ids) {
            b.append(store.chunks().contains(c) ? '1' : '0');
        }
        return Optional.of(b.toString());
    }
}
