package dev.meshboot.node.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.meshboot.clusterconfig.CanonicalDocument;
import dev.meshboot.clusterconfig.store.VersionedDocument;
import dev.meshboot.images.SnapshotTrustException;
import dev.meshboot.images.signing.ManifestSignature;
import dev.meshboot.images.store.SnapshotStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The snapshot catalog in the replicated store: one {@code Snapshot} document per published snapshot, carrying its
 * signed manifest as an opaque blob ({@code spec.manifest}, {@code spec.signature}, base64), beside the Channel
 * documents that point nodes at snapshots. The config view ignores this kind; {@link SnapshotSync} reads it.
 */
public final class Catalog {
    /** The store kind of catalog entries. */
    public static final String KIND = "Snapshot";
    private static final System.Logger LOG = System.getLogger(Catalog.class.getName());
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Why a snapshot cannot be withdrawn from the catalog now. */
    public static final class WithdrawRefusedException extends Exception {
        private static final long serialVersionUID = 1L;

        WithdrawRefusedException(String message) {
            super(message);
        }
    }

    /**
     * The catalog entry to delete to withdraw snapshot {@code id}: refused when the catalog does not hold it, or
     * while a Channel points at it (its machines would have nothing to boot: move the channel first). Members
     * remove a withdrawn snapshot after a grace ({@link SnapshotRetirement}).
     */
    public static dev.meshboot.clusterconfig.store.DocumentKey withdrawal(Collection<VersionedDocument> documents,
            String id) throws WithdrawRefusedException {
        boolean listed = false;
        List<String> pointing = new ArrayList<>();
        for (VersionedDocument v : documents) {
            if (v.tombstone()) {
                continue;
            }
            if (v.key().kind().equals(KIND) && v.key().name().equals(id)) {
                listed = true;
            }
            if (v.key().kind().equals("Channel")) {
                try {
                    if (JSON.readTree(v.body()).path("spec").path("snapshot").asText().equals(id)) {
                        pointing.add(v.key().name());
                    }
                } catch (IOException e) {
                    // a malformed channel points at nothing
                }
            }
        }
        if (!listed) {
            throw new WithdrawRefusedException("snapshot " + id + " is not in the catalog");
        }
        if (!pointing.isEmpty()) {
            throw new WithdrawRefusedException("snapshot " + id + " is still the target of channel(s) " + pointing
                    + ": point them at another snapshot first");
        }
        return new dev.meshboot.clusterconfig.store.DocumentKey(KIND, id);
    }

    /** Why a snapshot cannot be published. */
    public static final class PublishRefusedException extends Exception {
        private static final long serialVersionUID = 1L;

        PublishRefusedException(String message) {
            super(message);
        }
    }

    private Catalog() {}

    /**
     * The documents that publish a snapshot the local store holds complete and signed by a key it trusts: its
     * catalog entry, and the channel pointing at it when a channel is named.
     */
    public static List<CanonicalDocument> publication(SnapshotStore store, String id, Optional<String> channel)
            throws IOException, PublishRefusedException {
        if (!id.matches("[0-9a-f]{64}") || !store.ids().contains(id)) {
            throw new PublishRefusedException("snapshot '" + id + "' is not complete in this agent's store ("
                    + store.root() + "): build it or fetch it there first");
        }
        Path dir = store.root().resolve("snapshots");
        byte[] manifest = Files.readAllBytes(dir.resolve(id + ".json"));
        Path sigFile = dir.resolve(id + ".sig");
        if (!Files.exists(sigFile)) {
            throw new PublishRefusedException("snapshot " + id + " is unsigned; the catalog takes signed snapshots only");
        }
        byte[] signature = Files.readAllBytes(sigFile);
        try {
            ManifestSignature.fromJson(signature, "snapshot " + id).verify(manifest, store.trustedKeys(), "snapshot " + id);
        } catch (SnapshotTrustException e) {
            throw new PublishRefusedException(e.getMessage());
        }
        ObjectNode entry = JSON.createObjectNode().put("kind", KIND).put("name", id);
        entry.putObject("spec").put("manifest", Base64.getEncoder().encodeToString(manifest))
                .put("signature", Base64.getEncoder().encodeToString(signature));
        List<CanonicalDocument> docs = new ArrayList<>();
        docs.add(new CanonicalDocument(KIND, id, JSON.writeValueAsBytes(entry)));
        if (channel.isPresent()) {
            ObjectNode ch = JSON.createObjectNode().put("kind", "Channel").put("name", channel.get());
            ch.putObject("spec").put("snapshot", id);
            docs.add(new CanonicalDocument("Channel", channel.get(), JSON.writeValueAsBytes(ch)));
        }
        return docs;
    }

    /** Every published snapshot in the store's documents; a malformed entry is logged and skipped. */
    public static List<SnapshotSync.Entry> entries(Collection<VersionedDocument> documents) {
        List<SnapshotSync.Entry> out = new ArrayList<>();
        for (VersionedDocument v : documents) {
            if (!v.key().kind().equals(KIND) || v.tombstone()) {
                continue;
            }
            try {
                JsonNode spec = JSON.readTree(v.body()).path("spec");
                out.add(new SnapshotSync.Entry(v.key().name(), Base64.getDecoder().decode(spec.path("manifest").asText()),
                        Base64.getDecoder().decode(spec.path("signature").asText())));
            } catch (IOException | IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "catalog entry {0} is malformed: {1}", v.key().name(), e.getMessage());
            }
        }
        return out;
    }
}
