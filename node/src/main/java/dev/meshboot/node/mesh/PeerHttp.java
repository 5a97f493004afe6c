package dev.meshboot.node.mesh;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A GET from a peer, bounded as a whole. {@link HttpRequest.Builder#timeout} ends at the response headers, so a peer
 * that dies while sending a body would hold the caller for ever (bench/replication.sh found it); here the headers
 * and the body share one deadline.
 */
public final class PeerHttp {
    private PeerHttp() {}

    /** The body of a 200 answer; empty on any other status, an error, or the deadline. */
    public static Optional<byte[]> get(HttpClient http, URI uri, Duration deadline) throws InterruptedException {
        try {
            HttpResponse<byte[]> r = http.sendAsync(HttpRequest.newBuilder(uri).timeout(deadline).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        }
    }
}
