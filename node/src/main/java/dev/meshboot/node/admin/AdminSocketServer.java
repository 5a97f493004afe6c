package dev.meshboot.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Serves the admin API on a Unix domain socket. The socket file is created with mode 0600 before anyone can reach
 * it (bound inside a fresh 0700 directory, chmod'ed, then renamed into place), so only its owner, the agent's user,
 * can connect; each connection's peer credentials (SO_PEERCRED) are checked against that owner as well.
 *
 * <p>Protocol: the client writes one JSON object (at most {@value #MAX_REQUEST} bytes) and shuts its side down; the
 * server answers one JSON object and closes. Each connection runs on a virtual thread of its own.
 */
public final class AdminSocketServer implements AutoCloseable {
    /** A bulk {@code config apply} of 10,000 nodes is about 5 MB; this leaves room without being unbounded. */
    public static final int MAX_REQUEST = 64 << 20;
    private static final System.Logger LOG = System.getLogger(AdminSocketServer.class.getName());
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path path;
    private final AdminService service;
    private final ServerSocketChannel server;
    private final UserPrincipal owner;
    private final Thread acceptor;

    private AdminSocketServer(Path path, AdminService service, ServerSocketChannel server, UserPrincipal owner) {
        this.path = path;
        this.service = service;
        this.server = server;
        this.owner = owner;
        this.acceptor = Thread.ofPlatform().daemon().name("admin-socket").unstarted(this::acceptLoop);
    }

    /**
     * Creates the socket at {@code path} and starts serving. A leftover socket file nobody answers on is replaced;
     * one that answers belongs to a running agent and is refused.
     */
    public static AdminSocketServer start(Path path, AdminService service) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        }
        if (Files.exists(path)) {
            if (answers(path)) {
                throw new IOException(path + ": another agent is serving this admin socket");
            }
            Files.delete(path); // stale: left by an agent that died
        }
        Path staging = Files.createTempDirectory(parent, ".admin-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path staged = staging.resolve("sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(staged));
            Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rw-------"));
            Files.move(staged, path, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            server.close();
            throw e;
        } finally {
            Files.deleteIfExists(staged);
            Files.deleteIfExists(staging);
        }
        AdminSocketServer s = new AdminSocketServer(path, service, server, Files.getOwner(path));
        s.acceptor.start();
        return s;
    }

    private static boolean answers(Path path) {
        try {
            SocketChannel.open(UnixDomainSocketAddress.of(path)).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public Path path() {
        return path;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                Thread.ofVirtual().name("admin-request").start(() -> serve(c));
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.log(Level.WARNING, "admin socket accept failed: {0}", e.getMessage());
                }
                // a closed server ends the loop
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            UnixDomainPrincipal peer = c.getOption(ExtendedSocketOptions.SO_PEERCRED);
            byte[] request = read(c); // read first, so a refused client gets the refusal, not a broken pipe
            ObjectNode response;
            if (!peer.user().getName().equals(owner.getName())) {
                response = AdminService.error("only " + owner.getName() + " may use the admin socket (this is "
                        + peer.user().getName() + ")");
            } else {
                response = answer(request);
            }
            ByteBuffer out = ByteBuffer.wrap(JSON.writeValueAsBytes(response));
            while (out.hasRemaining()) {
                c.write(out);
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "admin connection ended: {0}", e.getMessage());
        }
    }

    private ObjectNode answer(byte[] request) {
        try {
            if (request == null) {
                throw new AdminRequestException("request larger than " + MAX_REQUEST + " bytes");
            }
            JsonNode r;
            try {
                r = JSON.readTree(request);
            } catch (IOException e) {
                throw new AdminRequestException("not a JSON request: " + e.getMessage());
            }
            return service.handle(r);
        } catch (AdminRequestException e) {
            return AdminService.error(e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "admin request failed", e);
            return AdminService.error("the agent failed: " + e);
        }
    }

    /** The whole request, or null when it exceeds the limit. */
    private static byte[] read(SocketChannel c) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(64 << 10);
        while (c.read(buf) >= 0) {
            buf.flip();
            if (bytes.size() + buf.remaining() > MAX_REQUEST) {
                return null;
            }
            bytes.write(buf.array(), 0, buf.remaining());
            buf.clear();
        }
        return bytes.toByteArray();
    }

    @Override
    public void close() {
        try {
            server.close();
            acceptor.join(5000);
        } catch (IOException e) {
            // closing anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not remove {0}: {1}", path, e.getMessage());
        }
    }
}
