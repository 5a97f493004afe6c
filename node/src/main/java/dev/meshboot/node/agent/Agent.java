package dev.meshboot.node.agent;

import dev.meshboot.bootstrap.ipxe.IpxeScript;
import dev.meshboot.clusterconfig.ClusterConfig;
import dev.meshboot.clusterconfig.ConfigException;
import dev.meshboot.clusterconfig.ConfigLoader;
import dev.meshboot.clusterconfig.Mac;
import dev.meshboot.clusterconfig.Node;
import dev.meshboot.clusterconfig.Profile;
import dev.meshboot.images.posix.PosixException;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.node.boot.ConfigBootPolicy;
import dev.meshboot.node.boot.LeaseBook;
import dev.meshboot.node.dhcp.DhcpResponder;
import dev.meshboot.node.dhcp.DhcpServer;
import dev.meshboot.node.http.DownloadRedirector;
import dev.meshboot.node.http.HttpBootServer;
import dev.meshboot.node.http.StoreBootContent;
import dev.meshboot.node.tftp.TftpServer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The node agent as it stands: it reads its settings and the cluster's documents (refusing to start on any
 * mistake), and serves DHCP or proxyDHCP, TFTP and HTTP from them on one machine. Membership, election and
 * replication (the mesh) come later and will start and stop these same servers as roles.
 */
public final class Agent implements AutoCloseable {
    private final AgentConfig settings;
    private final ClusterConfig cluster;
    private final EventLoopGroup group;
    private final List<AutoCloseable> running = new ArrayList<>();
    private HttpBootServer http;

    private Agent(AgentConfig settings, ClusterConfig cluster) {
        this.settings = settings;
        this.cluster = cluster;
        this.group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    /** Reads everything and starts every server; throws before serving anything if a document is wrong. */
    public static Agent start(AgentConfig settings, Clock clock)
            throws IOException, ConfigException, InterruptedException {
        ClusterConfig cluster = new ConfigLoader().load(settings.documents());
        Agent agent = new Agent(settings, cluster);
        try {
            agent.startServers(clock);
        } catch (IOException | RuntimeException | InterruptedException e) {
            agent.close();
            throw e;
        }
        return agent;
    }

    private void startServers(Clock clock) throws IOException, InterruptedException {
        // Each network is handed URLs with this host's address on that network's interface.
        Map<String, String> httpBases = new HashMap<>();
        for (AgentConfig.Interface i : settings.interfaces()) {
            httpBases.putIfAbsent(i.network(), "http://" + i.address() + ":" + settings.ports().http());
        }
        String fallback = httpBases.get(settings.interfaces().getFirst().network());
        Function<String, String> httpBase = network -> httpBases.getOrDefault(network, fallback);
        Optional<LeaseBook> leases = settings.proxy() ? Optional.empty()
                : Optional.of(new LeaseBook(settings.leases(), clock));
        leases.ifPresent(running::add);
        DhcpResponder responder = new DhcpResponder(new ConfigBootPolicy(() -> cluster, httpBase, settings.proxy(),
                leases), settings.proxy());
        DhcpServer dhcp = new DhcpServer(responder, new DhcpServer.Ports(settings.ports().dhcp(),
                settings.ports().dhcpClient(), settings.proxy() ? settings.ports().pxe() : -1));
        List<DhcpServer.Interface> itfs = new ArrayList<>();
        InetAddress any = InetAddress.getByName("0.0.0.0");
        for (AgentConfig.Interface i : settings.interfaces()) {
            itfs.add(new DhcpServer.Interface(i.device(), i.network(), i.address(), any));
        }
        running.add(dhcp);
        try {
            dhcp.start(itfs);
        } catch (PosixException e) {
            throw new IOException("cannot open the DHCP sockets: " + e.getMessage(), e);
        }
        if (settings.ports().tftp() > 0) {
            TftpServer tftp = new TftpServer(TftpServer.Settings.defaults(settings.tftpRoot()), group, clock);
            running.add(tftp);
            tftp.start(new InetSocketAddress(any, settings.ports().tftp()));
        }
        if (settings.ports().http() > 0) {
            SnapshotStore store = SnapshotStore.open(settings.store());
            http = new HttpBootServer(new StoreBootContent(store, settings.bootDir(),
                    mac -> script(mac, httpBase)), DownloadRedirector.NONE, group);
            running.add(http);
            http.start(new InetSocketAddress(any, settings.ports().http()));
        }
    }

    /** The iPXE script a machine gets: a network boot into its profile's mode, or its local disk. */
    Optional<String> script(Mac mac, Function<String, String> httpBases) {
        Optional<Node> node = cluster.nodeByMac(mac);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        Node n = node.get();
        String httpBase = httpBases.apply(n.network());
        Profile.InstallMode mode = cluster.installMode(n);
        List<String> servers = settings.interfaces().stream().filter(i -> i.network().equals(n.network()))
                .map(i -> i.address() + ":" + settings.ports().http()).toList();
        return Optional.of(IpxeScript.network(new IpxeScript.NetworkBoot(n.name(), servers, n.channel(), mode,
                httpBase + "/boot/vmlinuz", httpBase + "/boot/initrd.img")));
    }

    /** Registers the HTTP access listener (no-op when HTTP is off). */
    public void onHttpRequest(HttpBootServer.RequestListener l) {
        if (http != null) {
            http.onRequest(l);
        }
    }

    public ClusterConfig cluster() {
        return cluster;
    }

    @Override
    public void close() {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
        running.clear();
        group.shutdownGracefully().syncUninterruptibly();
    }
}
