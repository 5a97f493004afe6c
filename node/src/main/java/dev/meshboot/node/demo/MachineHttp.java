package dev.meshboot.node.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * A machine's HTTP, as iPXE and {@code /init}'s fetches do it: from the machine's own address (the servers check a
 * boot report's source address against the node's), each request bounded as a whole, body included, the way
 * {@code meshboot.timeout} bounds a fetch; a server that dies mid-body fails the fetch at once or at the deadline.
 */
final class MachineHttp implements AutoCloseable {
    /** Why a fetch failed, in a few words for the timeline. */
    static final class FetchException extends IOException {
        private static final long serialVersionUID = 1L;

        FetchException(String message) {
            super(message);
        }
    }

    private final HttpClient client;
    private final Duration deadline;

    MachineHttp(InetAddress local, Duration deadline) {
        this.client = HttpClient.newBuilder().localAddress(local).connectTimeout(deadline)
                .version(HttpClient.Version.HTTP_1_1).build();
        this.deadline = deadline;
    }

    byte[] get(String url) throws FetchException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    }

    byte[] post(String url, byte[] body) throws FetchException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json").build());
    }

    private byte[] send(HttpRequest request) throws FetchException, InterruptedException {
        CompletableFuture<HttpResponse<byte[]>> f = client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> r;
        try {
            r = f.get(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new FetchException("no complete answer within " + deadline.toSeconds() + " s");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            String why = c instanceof java.net.ConnectException ? "connection refused"
                    : c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
            throw new FetchException(why);
        }
        if (r.statusCode() != 200) {
            throw new FetchException("HTTP " + r.statusCode());
        }
        return r.body();
    }

    @Override
    public void close() {
        client.shutdownNow();
    }
}
