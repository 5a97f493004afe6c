package dev.meshboot.node.dhcp;

import dev.meshboot.clusterconfig.Ipv4;
import dev.meshboot.images.posix.PosixException;
import dev.meshboot.images.posix.UdpSocket;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The DHCP (and proxyDHCP) server: one socket per interface and port, each bound to its interface with
 * SO_BINDTODEVICE ({@link UdpSocket}), so a request is answered on the interface it arrived on, with that
 * interface's network and address, even on a multi-homed host. Each socket's thread decodes, asks the
 * {@link DhcpResponder}, encodes and sends; it decides nothing.
 *
 * <p>Why not Netty here: Netty's NIO transport cannot bind a socket to a device, and its epoll transport's native
 * library is not available from the registry this project builds from. DHCP's load is small (one exchange per
 * boot), so a blocking socket per interface is enough; TFTP and HTTP, which carry the bytes, run on Netty.
 *
 * <p>A packet that does not decode is logged and dropped; the socket keeps serving.
 */
public final class DhcpServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DhcpServer.class.getName());
    private static final int POLL_MILLIS = 250;

    /**
     * An interface to serve.
     *
     * @param device the kernel's interface name, or null to bind without SO_BINDTODEVICE (tests on loopback)
     * @param network the cluster network it is attached to
     * @param address this host's address on it: server identifier and next-server
     * @param bind the local address to bind (0.0.0.0 to receive broadcasts)
     */
    public record Interface(String device, String network, Ipv4 address, InetAddress bind) {}

    /** Ports: 67/68 in production (RFC 2131 section 4.1), anything in tests; {@code pxe} -1 for none. */
    public record Ports(int server, int client, int pxe) {
        public static final Ports STANDARD =
                new Ports(DhcpResponder.SERVER_PORT, DhcpResponder.CLIENT_PORT, DhcpResponder.PXE_PORT);
    }

    private final DhcpResponder responder;
    private final Ports ports;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    public DhcpServer(DhcpResponder responder, Ports ports) {
        this.responder = responder;
        this.ports = ports;
    }

    /** Opens every socket (failing at once if one cannot be bound) and starts serving them. */
    public void start(List<Interface> interfaces) throws PosixException, InterruptedException {
        for (Interface i : interfaces) {
            serve(i, ports.server(), false);
            if (ports.pxe() > 0) {
                serve(i, ports.pxe(), true);
            }
        }
    }

    private void serve(Interface itf, int port, boolean pxePort) throws PosixException, InterruptedException {
        UdpSocket socket = UdpSocket.open(itf.bind(), port, itf.device(), POLL_MILLIS);
        CountDownLatch started = new CountDownLatch(1);
        Thread t = Thread.ofPlatform().daemon().name("meshboot-dhcp-" + itf.network() + "-" + port).start(() -> {
            started.countDown();
            try (socket) {
                loop(socket, itf, pxePort);
            }
        });
        threads.add(t);
        started.await();
    }

    private void loop(UdpSocket socket, Interface itf, boolean pxePort) {
        byte[] buffer = new byte[DhcpCodec.MAX_MESSAGE];
        while (running) {
            UdpSocket.Received in;
            try {
                in = socket.receive(buffer);
            } catch (PosixException e) {
                LOG.log(Level.ERROR, "DHCP socket on {0} failed; it stops serving: {1}", itf.network(), e.getMessage());
                return;
            }
            if (in == null) {
                continue;
            }
            DhcpMessage request;
            try {
                request = DhcpCodec.decode(buffer, 0, in.length());
            } catch (DhcpFormatException e) {
                LOG.log(Level.WARNING, "dropped malformed DHCP packet from {0} on {1}: {2}", in.source(),
                        itf.network(), e.getMessage());
                continue;
            }
            Optional<DhcpResponder.Reply> reply = responder.respond(request, itf.network(), itf.address(), pxePort,
                    in.port());
            if (reply.isEmpty()) {
                continue;
            }
            DhcpResponder.Reply r = reply.get();
            int port = switch (r.port()) {
                case DhcpResponder.CLIENT_PORT -> ports.client();
                case DhcpResponder.SERVER_PORT -> ports.server();
                default -> r.port();
            };
            byte[] out = DhcpCodec.encode(r.message());
            LOG.log(Level.DEBUG, "{0} {1} -> {2} to {3}:{4} on {5} (yiaddr {6}, file {7})",
                    request.options().messageType().orElseThrow(), request.mac().map(Object::toString).orElse("?"),
                    r.message().options().messageType().orElseThrow(), r.destination(), Integer.toString(port),
                    itf.network(), new Ipv4(r.message().yiaddr()), r.message().options().get(DhcpOptions.BOOTFILE_NAME)
                            .map(b -> new String(b, java.nio.charset.StandardCharsets.US_ASCII)).orElse("-"));
            try {
                socket.send(out, out.length, InetAddress.getByAddress(r.destination().toBytes()), port);
            } catch (PosixException e) {
                LOG.log(Level.WARNING, "DHCP reply to {0} on {1} not sent: {2}", r.destination(), itf.network(),
                        e.getMessage());
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // four bytes always make an address
            }
        }
    }

    /** Whether every socket still serves: a socket that failed ends its thread (the health check's question). */
    public boolean serving() {
        return running && !threads.isEmpty() && threads.stream().allMatch(Thread::isAlive);
    }

    /** Stops every socket; returns when their threads have ended (within one poll interval). */
    @Override
    public void close() {
        running = false;
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
