package dev.meshboot.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The CLI's side of the admin socket: one request, one response. */
public final class AdminClient {
    private static final int MAX_RESPONSE = 256 << 20;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path socket;

    public AdminClient(Path socket) {
        this.socket = socket;
    }

    /**
     * Sends a request and returns the response; a response with {@code ok: false} is returned as it is for the
     * caller to report.
     */
    public JsonNode call(JsonNode request) throws AdminException {
        if (!Files.exists(socket)) {
            throw new AdminException(socket + ": no such socket (is the agent running? meshboot node --config FILE)");
        }
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer out = ByteBuffer.wrap(JSON.writeValueAsBytes(request));
            while (out.hasRemaining()) {
                c.write(out);
            }
            c.shutdownOutput();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(64 << 10);
            while (c.read(buf) >= 0) {
                buf.flip();
                if (bytes.size() + buf.remaining() > MAX_RESPONSE) {
                    throw new AdminException(socket + ": response larger than " + MAX_RESPONSE + " bytes");
                }
                bytes.write(buf.array(), 0, buf.remaining());
                buf.clear();
            }
            if (bytes.size() == 0) {
                throw new AdminException(socket + ": the agent closed the connection without an answer");
            }
            return JSON.readTree(bytes.toByteArray());
        } catch (AccessDeniedException e) {
            throw new AdminException(socket + ": permission denied (the admin socket is root's: use sudo)", e);
        } catch (AdminException e) {
            throw e;
        } catch (IOException e) {
            String why = e.getMessage() != null && e.getMessage().contains("ermission") ? "permission denied (the admin"
                    + " socket is root's: use sudo)" : e.getMessage();
            throw new AdminException(socket + ": " + why, e);
        }
    }
}
