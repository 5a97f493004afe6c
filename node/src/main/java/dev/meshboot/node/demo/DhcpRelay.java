package dev.meshboot.node.demo;

import dev.meshboot.clusterconfig.Ipv4;
import dev.meshboot.node.dhcp.DhcpCodec;
import dev.meshboot.node.dhcp.DhcpFormatException;
import dev.meshboot.node.dhcp.DhcpMessage;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The DHCP relay between the simulated machines and the agents, as routed provisioning networks reach several DHCP
 * servers: a relay with one helper address per server (RFC 1542, RFC 2131 section 4.1). Each request a machine
 * sends to the relay goes to every agent's DHCP port with {@code giaddr} set ({@link RelayTable}); each agent
 * answers the relay, at {@code giaddr} on its own server port as RFC 2131 4.1 says, and the relay passes the reply
 * to the machine. An agent that is not an active boot server has no DHCP socket and answers nothing; a crashed one
 * neither, which is the point.
 *
 * <p>The agents' DHCP servers are unmodified: relayed requests reach them as unicasts, like from any relay. The
 * relay listens for their replies on its own address at each agent's port (SO_REUSEADDR beside the agent's wildcard
 * socket on that port; Linux gives a datagram to the socket bound to its exact address).
 */
final class DhcpRelay implements AutoCloseable {
    private static final int POLL_MILLIS = 250;

    private final Ipv4 address;
    private final int clientPort;
    private final List<InetSocketAddress> servers;
    private final RelayTable table = new RelayTable();
    private final Clock clock;
    private final List<DatagramSocket> sockets = new ArrayList<>();
    private final Map<Integer, DatagramSocket> towardServers = new LinkedHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private DatagramSocket fromClients;
    private volatile boolean running = true;

    /**
     * @param address the relay's address: {@code giaddr}, and where machines send their requests
     * @param clientPort the port machines send to (67 on a real segment)
     * @param servers each DHCP server's address and port (the relay's helper addresses)
     */
    DhcpRelay(Ipv4 address, int clientPort, List<InetSocketAddress> servers, Clock clock) {
        this.address = address;
        this.clientPort = clientPort;
        this.servers = List.copyOf(servers);
        this.clock = clock;
    }

    void start() throws IOException {
        InetAddress self = InetAddress.getByAddress(address.toBytes());
        fromClients = bind(self, clientPort);
        for (InetSocketAddress s : servers) {
            if (!towardServers.containsKey(s.getPort())) {
                towardServers.put(s.getPort(), bind(self, s.getPort()));
            }
        }
        serve("demo-relay-clients", fromClients, this::fromClient);
        towardServers.values().forEach(s -> serve("demo-relay-servers-" + s.getLocalPort(), s, this::fromServer));
    }

    private DatagramSocket bind(InetAddress self, int port) throws SocketException {
        DatagramSocket s = new DatagramSocket(null);
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(self, port));
        s.setSoTimeout(POLL_MILLIS);
        sockets.add(s);
        return s;
    }

    private interface PacketHandler {
        void handle(DatagramPacket p) throws IOException;
    }

    private void serve(String name, DatagramSocket socket, PacketHandler handler) {
        threads.add(Thread.ofPlatform().daemon().name(name).start(() -> {
            byte[] buffer = new byte[DhcpCodec.MAX_MESSAGE];
            while (running) {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(p);
                    handler.handle(p);
                } catch (SocketTimeoutException e) {
                    // look at running again
                } catch (IOException e) {
                    if (running) {
                        continue; // one bad datagram or one unreachable server must not stop the relay
                    }
                }
            }
        }));
    }

    private void fromClient(DatagramPacket p) throws IOException {
        Optional<DhcpMessage> forward;
        try {
            DhcpMessage request = DhcpCodec.decode(p.getData(), p.getOffset(), p.getLength());
            forward = RelayTable.towardServers(request, address);
            if (forward.isPresent()) {
                table.remember(request, (InetSocketAddress) p.getSocketAddress(), clock.instant());
            }
        } catch (DhcpFormatException e) {
            return; // a relay drops what it cannot parse
        }
        if (forward.isEmpty()) {
            return;
        }
        byte[] out = DhcpCodec.encode(forward.get());
        for (InetSocketAddress s : servers) {
            try {
                towardServers.get(s.getPort()).send(new DatagramPacket(out, out.length, s));
            } catch (IOException e) {
                // that server is unreachable; the others still get it
            }
        }
    }

    private void fromServer(DatagramPacket p) throws IOException {
        Optional<InetSocketAddress> client;
        try {
            client = table.clientOf(DhcpCodec.decode(p.getData(), p.getOffset(), p.getLength()), clock.instant());
        } catch (DhcpFormatException e) {
            return;
        }
        if (client.isPresent()) {
            fromClients.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), client.get()));
        }
    }

    @Override
    public void close() {
        running = false;
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        sockets.forEach(DatagramSocket::close);
    }
}
