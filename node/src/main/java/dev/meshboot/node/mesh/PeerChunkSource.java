package dev.meshboot.node.mesh;

import dev.meshboot.images.ChunkIntegrityException;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.store.ChunkStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Repairs come from the members in view: each is asked in turn for {@code GET /chunks/ID} (a member that does not
 * hold the chunk answers 404, one that holds it damaged has quarantined it and answers 404 too), and the answer is
 * verified against the manifest's reference before it is used. A peer that answers with bad bytes is avoided for
 * the rest of the pass, as in replication. Repairs are rare, so asking peers one by one costs nothing worth a
 * holdings request.
 */
public final class PeerChunkSource implements ChunkScrubber.ChunkSource {
    private static final System.Logger LOG = System.getLogger(PeerChunkSource.class.getName());
    /** The longest one chunk may take, headers and body: 8 MiB (the largest default chunk) at 1 MB/s, with room. */
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final HttpClient http;
    private final Supplier<Map<String, String>> peers;

    /**
     * @param peers the members in view and their HTTP base URLs, this member excluded
     */
    public PeerChunkSource(HttpClient http, Supplier<Map<String, String>> peers) {
        this.http = http;
        this.peers = peers;
    }

    @Override
    public Optional<Fetched> fetch(ChunkRef ref, Set<String> avoided) throws InterruptedException {
        for (Map.Entry<String, String> p : new TreeMap<>(peers.get()).entrySet()) {
            if (avoided.contains(p.getKey())) {
                continue;
            }
            Optional<byte[]> body = PeerHttp.get(http, URI.create(p.getValue()).resolve("/chunks/" + ref.id()), DEADLINE);
            if (body.isEmpty()) {
                continue;
            }
            try {
                ChunkStore.verify(ref, body.get(), "chunk from " + p.getKey());
                return Optional.of(new Fetched(p.getKey(), body.get()));
            } catch (ChunkIntegrityException e) {
                avoided.add(p.getKey());
                LOG.log(System.Logger.Level.WARNING, "{0}; avoiding {1}", e.getMessage(), p.getKey());
            }
        }
        return Optional.empty();
    }
}
