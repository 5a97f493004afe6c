package dev.meshboot.node.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshboot.clusterconfig.CanonicalDocument;
import dev.meshboot.clusterconfig.Ipv4;
import dev.meshboot.clusterconfig.Mac;
import dev.meshboot.clusterconfig.store.VersionedDocument;
import dev.meshboot.node.boot.SharedLeases;
import java.io.IOException;
import java.time.Clock;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Dynamic leases as documents of the replicated store (kind {@value #KIND}, one per network and address), so that
 * every active boot server knows what the others leased: a slot that moves to another server after its holder died
 * or after a partition healed carries its leases with it, and no address is handed out twice (docs/cluster.md,
 * "DHCP with K servers"). A document names the machine (MAC), the address, its expiry (epoch seconds, by the
 * leasing server's clock) and the server.
 *
 * <p>Within a partition, only the side with a quorum leases ({@link Election}), so the two sides never write the
 * same address; after the merge the store's last-writer-wins keeps one version per address, and both versions named
 * the same machine or came from a single side.
 */
public final class LeaseLedger implements SharedLeases {
    private static final System.Logger LOG = System.getLogger(LeaseLedger.class.getName());
    /** The store kind of lease documents. */
    public static final String KIND = "Lease";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Writes documents to the store, replicated (StoreReplicator::write). */
    @FunctionalInterface
    public interface Writer {
        void write(List<CanonicalDocument> documents) throws IOException;
    }

    /** One lease as the store holds it. */
    public record Entry(String network, Mac mac, Ipv4 address, long expiresEpochSecond, String server) {}

    private final Supplier<Collection<VersionedDocument>> documents;
    private final Writer writer;
    private final String server;
    private final Clock clock;

    public LeaseLedger(Supplier<Collection<VersionedDocument>> documents, Writer writer, String server, Clock clock) {
        this.documents = documents;
        this.writer = writer;
        this.server = server;
        this.clock = clock;
    }

    @Override
    public Set<Ipv4> heldByOthers(String network, Mac mac) {
        long now = clock.instant().getEpochSecond();
        Set<Ipv4> out = new HashSet<>();
        for (Entry e : entries(documents.get())) {
            if (e.network().equals(network) && !e.mac().equals(mac) && e.expiresEpochSecond() > now) {
                out.add(e.address());
            }
        }
        return out;
    }

    @Override
    public void leased(String network, Mac mac, Ipv4 address, int seconds) {
        long expires = clock.instant().getEpochSecond() + seconds;
        ObjectNode doc = JSON.createObjectNode().put("kind", KIND).put("name", name(network, address));
        doc.putObject("spec").put("network", network).put("mac", mac.text()).put("address", address.toString())
                .put("expires", expires).put("server", server);
        try {
            writer.write(List.of(new CanonicalDocument(KIND, name(network, address), JSON.writeValueAsBytes(doc))));
        } catch (IOException | RuntimeException e) {
            // The local lease book already holds it durably; the mesh learns of it at the next renewal.
            LOG.log(System.Logger.Level.WARNING, "lease of {0} to {1} not recorded in the store: {2}", address, mac,
                    e.getMessage());
        }
    }

    /** The document name of the lease of {@code address} on {@code network}. */
    static String name(String network, Ipv4 address) {
        return network + "." + address;
    }

    /** Every well-formed lease document; a malformed one is logged and skipped. */
    public static List<Entry> entries(Collection<VersionedDocument> documents) {
        List<Entry> out = new java.util.ArrayList<>();
        for (VersionedDocument v : documents) {
            if (!v.key().kind().equals(KIND) || v.tombstone()) {
                continue;
            }
            try {
                JsonNode s = JSON.readTree(v.body()).path("spec");
                out.add(new Entry(s.path("network").asText(), Mac.parse(s.path("mac").asText()),
                        Ipv4.parse(s.path("address").asText()), s.path("expires").asLong(), s.path("server").asText()));
            } catch (IOException | IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "lease document {0} is malformed: {1}", v.key().name(),
                        e.getMessage());
            }
        }
        return out;
    }
}
