package dev.meshboot.node.agent;

import dev.meshboot.bootstrap.artifacts.ArtifactStore;
import dev.meshboot.bootstrap.artifacts.BootArtifacts;
import dev.meshboot.bootstrap.config.ConfigArchive;
import dev.meshboot.bootstrap.ipxe.IpxeScript;
import dev.meshboot.clusterconfig.render.ConfigRenderer;
import dev.meshboot.clusterconfig.ClusterConfig;
import dev.meshboot.clusterconfig.ConfigException;
import dev.meshboot.clusterconfig.ConfigLoader;
import dev.meshboot.clusterconfig.Mac;
import dev.meshboot.clusterconfig.Node;
import dev.meshboot.clusterconfig.Profile;
import dev.meshboot.images.posix.PosixException;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.clusterconfig.CanonicalDocument;
import dev.meshboot.clusterconfig.store.ReplicatedStore;
import dev.meshboot.node.admin.AdminService;
import dev.meshboot.node.admin.AdminSocketServer;
import dev.meshboot.node.boot.ConfigBootPolicy;
import dev.meshboot.node.mesh.BootRoles;
import dev.meshboot.node.mesh.Election;
import dev.meshboot.node.mesh.PoolShare;
import dev.meshboot.node.mesh.QuorumBase;
import dev.meshboot.node.mesh.ArchiveServers;
import dev.meshboot.node.mesh.ChunkOwners;
import dev.meshboot.node.mesh.HealthCheck;
import dev.meshboot.node.mesh.WholeSnapshots;
import dev.meshboot.node.mesh.SnapshotRetirement;
import dev.meshboot.node.mesh.StormRedirector;
import dev.meshboot.node.mesh.SnapshotSync;
import dev.meshboot.node.mesh.StoreMaintenance;
import dev.meshboot.node.mesh.Catalog;
import dev.meshboot.clusterconfig.Network;
import dev.meshboot.node.cluster.ClusterChannel;
import dev.meshboot.node.cluster.ClusterSecret;
import dev.meshboot.node.cluster.Membership;
import dev.meshboot.node.cluster.StoreReplicator;
import dev.meshboot.node.boot.InstallRecords;
import dev.meshboot.node.boot.LeaseBook;
import dev.meshboot.node.boot.SharedLeases;
import dev.meshboot.node.mesh.LeaseLedger;
import dev.meshboot.node.dhcp.DhcpResponder;
import dev.meshboot.node.dhcp.DhcpServer;
import dev.meshboot.node.http.HttpBootServer;
import dev.meshboot.node.http.StoreBootContent;
import dev.meshboot.node.tftp.TftpServer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The node agent as it stands: it reads its settings and the cluster's documents (refusing to start on any
 * mistake), joins its cluster's channel when it has a {@code cluster:} section, and serves DHCP or proxyDHCP, TFTP
 * and HTTP from the replicated config store: every request reads the store's current view, so a change applied on
 * any member is served by every boot server. Election (the mesh) comes later and will start and stop these same
 * servers as roles, on the same channel ({@link #channel()}).
 */
public final class Agent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Agent.class.getName());
    /** How long a joining member waits for its first anti-entropy round before deciding its store is empty. */
    private static final java.time.Duration CATCH_UP = java.time.Duration.ofSeconds(30);

    private final AgentConfig settings;
    /** The injected clock, for the parts built after start-up (health, whole-snapshot checks). */
    private final Clock clock;
    private ReplicatedStore configStore;
    private Optional<ClusterChannel> channel = Optional.empty();
    private Optional<StoreReplicator> replicator = Optional.empty();
    private final EventLoopGroup group;
    private final List<AutoCloseable> running = new ArrayList<>();
    private HttpBootServer http;
    private ArtifactStore artifacts;
    private InstallRecords installs;
    private SnapshotStore snapshots;
    private BootServices bootServices;
    private Optional<BootRoles> roles = Optional.empty();
    private volatile Optional<StormRedirector> storm = Optional.empty();
    private HealthCheck healthCheck;
    private WholeSnapshots whole;
    private InetSocketAddress httpAddress;
    /** Below this much free space on the store's disk, leases, reports and replication start failing. */
    private static final long MIN_FREE_BYTES = 64L << 20;
    /**
     * Downloads in flight above which a member sends archive and chunk requests to a less loaded holder: /init
     * fetches one chunk at a time, so this is about the machines booting from this member at once.
     */
    private static final int REDIRECT_ABOVE = 8;
    private Optional<StoreMaintenance> maintenance = Optional.empty();
    /** How long a pool slot's absent holder keeps it (longer than failure detection: node/mesh/Election). */
    private static final java.time.Duration ROLE_GRACE = java.time.Duration.ofSeconds(30);
    private static final java.time.Duration ADVERTISE_EVERY = java.time.Duration.ofSeconds(2);
    private static final java.time.Duration SYNC_EVERY = java.time.Duration.ofSeconds(2);
    /** How long a withdrawn snapshot stays in the stores: machines booting it when it was withdrawn finish first. */
    private static final java.time.Duration RETIRE_AFTER = java.time.Duration.ofMinutes(10);

    private Agent(AgentConfig settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    /**
     * Reads everything, joins the cluster (if configured) and starts every server; throws before serving anything
     * if a document file is wrong.
     */
    public static Agent start(AgentConfig settings, Clock clock)
            throws IOException, ConfigException, InterruptedException {
        List<CanonicalDocument> seed = List.of();
        if (!settings.documents().isEmpty()) {
            ConfigLoader loader = new ConfigLoader();
            loader.load(settings.documents()); // valid as a whole, or the agent does not start
            seed = loader.read(settings.documents());
        }
        Agent agent = new Agent(settings, clock);
        try {
            agent.startStore(clock, seed);
            agent.startServers(clock);
            agent.startAdmin();
        } catch (IOException | RuntimeException | InterruptedException e) {
            agent.close();
            throw e;
        }
        return agent;
    }

    /**
     * Opens the config store. Standalone: in memory, holding the document files. Cluster member: on disk, joined
     * to the channel and caught up with the others; the document files are written into it only if it is still
     * empty then (the first member of a new cluster), never over what the cluster holds (docs/cluster.md).
     */
    private void startStore(Clock clock, List<CanonicalDocument> seed) throws IOException, InterruptedException {
        if (settings.cluster().isEmpty()) {
            configStore = ReplicatedStore.inMemory("standalone", clock);
            for (CanonicalDocument d : seed) {
                configStore.write(d);
            }
            return;
        }
        AgentConfig.Membership m = settings.cluster().get();
        ClusterSecret secret = ClusterSecret.read(m.secret());
        try {
            configStore = ReplicatedStore.open(settings.configStore(), m.channel().member(), clock);
        } catch (dev.meshboot.clusterconfig.store.StoreCorruptException e) {
            // Named files, each with why: the operator moves them aside and the member catches up from its peers.
            throw new IOException(e.getMessage(), e);
        }
        try {
            ClusterChannel ch = ClusterChannel.create(m.channel(), secret);
            channel = Optional.of(ch);
            StoreReplicator r = new StoreReplicator(configStore, ch, m.antiEntropy());
            replicator = Optional.of(r);
            r.start();
            ch.connect();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot join cluster " + m.channel().cluster() + ": " + e.getMessage(), e);
        }
        if (!replicator.get().awaitCaughtUp(CATCH_UP)) {
            LOG.log(System.Logger.Level.WARNING, "no catch-up from the coordinator within {0} s; serving what this"
                    + " member holds", CATCH_UP.toSeconds());
        }
        if (configStore.documents().isEmpty() && !seed.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "the cluster holds no documents: seeding {0} from the files", seed.size());
            replicator.get().write(seed);
        }
    }

    private void startAdmin() throws IOException {
        if (settings.adminSocket().isEmpty()) {
            return;
        }
        AdminService.DocumentWriter writer = replicator.isPresent() ? replicator.get()::write : docs -> {
            List<dev.meshboot.clusterconfig.store.VersionedDocument> out = new ArrayList<>();
            for (CanonicalDocument d : docs) {
                out.add(configStore.write(d));
            }
            return out;
        };
        AdminService service = new AdminService(configStore, writer,
                () -> channel.flatMap(ClusterChannel::membership).map(Membership::names)
                        .orElse(List.of(configStore.member())));
        new MeshOperations(configStore, writer, replicator, snapshots, roles, maintenance, this::health,
                this::isBootServer, RETIRE_AFTER).register(service);
        running.add(AdminSocketServer.start(settings.adminSocket().get(), service));
    }

    private List<SnapshotSync.Entry> catalog() {
        return Catalog.entries(configStore.documents());
    }

    /** The configuration to serve now: the store's last valid one, read again on every request. */
    private ClusterConfig config() {
        return configStore.view().config().orElseGet(ClusterConfig::empty);
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
        SnapshotStore store = SnapshotStore.open(settings.store());
        snapshots = store;
        artifacts = new ArtifactStore(store.root());
        installs = new InstallRecords(settings.installs(), clock);
        StoreBootContent content = new StoreBootContent(store, settings.bootDir(), mac -> script(mac, httpBase),
                new NodeParts());
        SharedLeases shared = replicator.<SharedLeases>map(r -> new LeaseLedger(configStore::documents, r::write,
                configStore.member(), clock)).orElse(SharedLeases.NONE);
        DhcpResponder responder = new DhcpResponder(new ConfigBootPolicy(this::config, httpBase, settings.proxy(),
                leases, this::poolShare, shared), settings.proxy());
        bootServices = new BootServices(responder, content, clock);
        running.add(bootServices);
        if (settings.ports().http() > 0) {
            // The storm redirector exists once the election does (cluster members only); until then, serve here.
            http = new HttpBootServer(content, (path, client) -> storm.flatMap(r -> r.redirect(path, client)), group);
            running.add(http);
            httpAddress = http.start(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), settings.ports().http()));
        }
        if (channel.isEmpty()) {
            bootServices.start(); // standalone: this agent is the boot server
        } else {
            startRoles(clock, fallback);
        }
    }

    /**
     * A firmware's first-stage file over TFTP ({@code undionly.kpxe}, {@code ipxe.efi}, {@code snponly.efi}) when
     * the TFTP root has none: from the boot artifacts of a snapshot some channel points at. They are the same iPXE
     * build for every snapshot; which one is served matters only if two snapshots were built with different ones.
     */
    private Optional<Path> firmwareFile(StoreBootContent content, String name) {
        if (!name.matches("[A-Za-z0-9._-]{1,64}") || !FIRMWARE_FILES.contains(name)) {
            return Optional.empty();
        }
        ClusterConfig cluster = config();
        return cluster.nodes().stream().map(cluster::snapshotFor).flatMap(Optional::stream).distinct().sorted()
                .map(id -> content.artifactFile(id, name)).flatMap(Optional::stream).findFirst();
    }

    private static final java.util.Set<String> FIRMWARE_FILES = java.util.Set.of("undionly.kpxe", "ipxe.efi",
            "snponly.efi");

    /** The per-node parts of the HTTP server: config archives from the documents, and boot reports. */
    private final class NodeParts implements StoreBootContent.Nodes {
        @Override
        public Optional<byte[]> configArchive(String node) {
            ClusterConfig cluster = config();
            return cluster.node(node).map(n -> {
                try {
                    return ConfigArchive.tar(new ConfigRenderer().render(cluster, n));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }

        @Override
        public boolean booted(String node, byte[] report, InetSocketAddress from) {
            Optional<Node> n = config().node(node);
            // Only from the node's own address: a weak check (the LAN is unauthenticated), but it stops a
            // neighbour's mistaken report from sending this node to a disk it does not have.
            if (n.isEmpty() || !from.getAddress().getHostAddress().equals(n.get().address().toString())) {
                return false;
            }
            try {
                return installs.report(node, report);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /**
     * The election on the cluster channel: DHCP and TFTP run while this member is one of the K active boot servers
     * (node/mesh/Election); HTTP runs on every member, for peers and booting machines.
     */
    private void startRoles(Clock clock, String httpBase) {
        String self = settings.cluster().orElseThrow().channel().member();
        QuorumBase base;
        try {
            base = QuorumBase.open(settings.configStore().toAbsolutePath().resolveSibling("quorum-base"));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "quorum base unreadable, counting from this run's views: "
                    + e.getMessage());
            base = QuorumBase.inMemory();
        }
        roles = Optional.of(new BootRoles(channel.orElseThrow(), self, httpBase, this::localState,
                () -> config().cluster().bootServers(), this::requiredSnapshots, ROLE_GRACE, clock, base,
                (result, active) -> {
                    try {
                        if (active) {
                            bootServices.start();
                        } else {
                            bootServices.stop();
                        }
                    } catch (IOException | RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "cannot switch the boot services: " + e.getMessage(), e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
        running.add(roles.get());
        ChunkOwners owners = new ChunkOwners(snapshots);
        storm = Optional.of(new StormRedirector(self, REDIRECT_ABOVE, this::load, roles.get()::advertsInView,
                owners::of));
        roles.get().start(ADVERTISE_EVERY);
        try {
            SnapshotRetirement retirement = new SnapshotRetirement(snapshots, configStore::versions,
                    this::bootSnapshots, RETIRE_AFTER, clock);
            java.util.concurrent.ScheduledExecutorService retire = java.util.concurrent.Executors
                    .newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("snapshot-retirement")
                            .unstarted(r));
            retire.scheduleWithFixedDelay(() -> {
                try {
                    retirement.retire();
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "snapshot retirement failed: " + e.getMessage());
                }
            }, 1, 1, java.util.concurrent.TimeUnit.MINUTES);
            running.add(retire::shutdownNow);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "withdrawn snapshots stay: " + e.getMessage());
        }
        try {
            SnapshotSync sync = new SnapshotSync(snapshots, self, this::catalog, () -> {
                Map<String, String> peers = new java.util.LinkedHashMap<>(roles.get().httpOfMembersInView());
                peers.remove(self);
                return peers;
            });
            running.add(sync);
            sync.start(SYNC_EVERY);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "snapshot replication is off: " + e.getMessage());
        }
        startMaintenance(clock, self);
    }

    /** The scrub, chunk repair and garbage collection of this member's store (node/mesh/StoreMaintenance). */
    private void startMaintenance(Clock clock, String self) {
        AgentConfig.Scrub s = settings.scrub();
        StoreMaintenance m = StoreMaintenance.of(snapshots, s.bytesPerSecond(), s.gcMinAge(), () -> {
            Map<String, String> peers = new java.util.LinkedHashMap<>(roles.orElseThrow().httpOfMembersInView());
            peers.remove(self);
            return peers;
        }, clock);
        maintenance = Optional.of(m);
        running.add(m);
        bootServices.content.chunkFiles().onCorrupt(m::repairSoon);
        m.start(s.first(), s.every());
    }

    /** What this member offers the election: boot services if it has a DHCP port, and the snapshots it holds. */
    private BootRoles.Local localState() {
        return new BootRoles.Local(settings.ports().dhcp() > 0, health().healthy(), wholeSnapshots().ids(), load());
    }

    private synchronized WholeSnapshots wholeSnapshots() {
        if (whole == null) {
            whole = new WholeSnapshots(snapshots, clock, java.time.Duration.ofSeconds(5));
        }
        return whole;
    }

    /** This member's health (node/mesh/HealthCheck); the probes are built on first use. */
    private synchronized HealthCheck.Health health() {
        if (healthCheck == null) {
            Map<String, HealthCheck.Probe> probes = new java.util.LinkedHashMap<>();
            probes.put("http", this::httpProblem);
            probes.put("boot services", bootServices::problem);
            probes.put("disk", () -> {
                try {
                    long free = java.nio.file.Files.getFileStore(snapshots.root()).getUsableSpace();
                    return free >= MIN_FREE_BYTES ? Optional.empty()
                            : Optional.of((free >> 20) + " MiB free under " + snapshots.root());
                } catch (IOException e) {
                    return Optional.of("cannot read the free space: " + e.getMessage());
                }
            });
            healthCheck = new HealthCheck(probes, clock, java.time.Duration.ofSeconds(1));
        }
        return healthCheck.current();
    }

    /** The HTTP server answers a request on loopback within a second (any status: it is the event loop we ask). */
    private Optional<String> httpProblem() {
        if (http == null || httpAddress == null) {
            return Optional.empty(); // HTTP off by configuration: nothing to ask
        }
        try (java.net.Socket s = new java.net.Socket()) {
            InetSocketAddress to = httpAddress.getAddress().isAnyLocalAddress()
                    ? new InetSocketAddress(InetAddress.getLoopbackAddress(), httpAddress.getPort()) : httpAddress;
            s.connect(to, 1000);
            s.setSoTimeout(1000);
            s.getOutputStream().write("HEAD /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] head = s.getInputStream().readNBytes(12);
            return new String(head, java.nio.charset.StandardCharsets.US_ASCII).startsWith("HTTP/1.1 ")
                    ? Optional.empty() : Optional.of("answered something that is not HTTP");
        } catch (IOException e) {
            return Optional.of("no answer at " + httpAddress + ": " + e.getMessage());
        }
    }

    /** Downloads this member is sending now. */
    private int load() {
        return http == null ? 0 : http.sending();
    }

    /** The snapshots the fleet boots: those the channels point at. */
    private java.util.Set<String> bootSnapshots() {
        ClusterConfig c = config();
        java.util.Set<String> out = new java.util.TreeSet<>();
        c.nodes().forEach(n -> c.snapshotFor(n).ifPresent(out::add));
        return out;
    }

    /**
     * What a member must hold to be eligible as a boot server: the snapshots machines boot that the catalog offers.
     * A channel pointing at a snapshot no member can get (a typo, a snapshot never published) leaves its machines
     * with an "unavailable" script, but does not disqualify every member and stop all boot service.
     */
    private java.util.Set<String> requiredSnapshots() {
        java.util.Set<String> offered = new java.util.HashSet<>();
        catalog().forEach(e -> offered.add(e.id()));
        java.util.Set<String> out = new java.util.TreeSet<>(bootSnapshots());
        out.retainAll(offered);
        return out;
    }

    /** The range of a network's pool this server leases from: all of it standalone; its slot's range in a cluster. */
    private Optional<Network> poolShare(Network n) {
        if (roles.isEmpty() || n.pool().isEmpty()) {
            return Optional.of(n);
        }
        String self = settings.cluster().orElseThrow().channel().member();
        Election.Result r = roles.get().current();
        int k = config().cluster().bootServers();
        return r.dynamicSlot(self).flatMap(slot -> PoolShare.of(n.pool().get(), slot, k))
                .map(share -> new Network(n.name(), n.subnet(), n.gateway(), n.dns(), n.domain(), n.leaseSeconds(),
                        Optional.of(share)));
    }

    /** Whether this agent runs DHCP and TFTP now. */
    public boolean isBootServer() {
        return bootServices != null && bootServices.running();
    }

    /** The current election result, for a cluster member. */
    public Optional<Election.Result> roles() {
        return roles.map(BootRoles::current);
    }

    /** DHCP (or proxyDHCP) and TFTP: what an active boot server runs, started and stopped with the role. */
    private final class BootServices implements AutoCloseable {
        private final DhcpResponder responder;
        private final StoreBootContent content;
        private final Clock clock;
        private DhcpServer dhcp;
        private TftpServer tftp;

        BootServices(DhcpResponder responder, StoreBootContent content, Clock clock) {
            this.responder = responder;
            this.content = content;
            this.clock = clock;
        }

        synchronized boolean running() {
            return dhcp != null || tftp != null;
        }

        /** Empty while stopped or serving; else which socket failed. */
        synchronized Optional<String> problem() {
            if (dhcp != null && !dhcp.serving()) {
                return Optional.of("a DHCP socket stopped serving");
            }
            if (tftp != null && !tftp.serving()) {
                return Optional.of("the TFTP socket is closed");
            }
            return Optional.empty();
        }

        synchronized void start() throws IOException, InterruptedException {
            if (running()) {
                return;
            }
            InetAddress any = InetAddress.getByName("0.0.0.0");
            if (settings.ports().dhcp() > 0) { // 0: an HTTP-only peer, serving archives but answering no machine
                List<DhcpServer.Interface> itfs = new ArrayList<>();
                for (AgentConfig.Interface i : settings.interfaces()) {
                    itfs.add(new DhcpServer.Interface(i.device(), i.network(), i.address(), any));
                }
                DhcpServer d = new DhcpServer(responder, new DhcpServer.Ports(settings.ports().dhcp(),
                        settings.ports().dhcpClient(), settings.proxy() ? settings.ports().pxe() : -1));
                try {
                    d.start(itfs);
                } catch (PosixException e) {
                    d.close();
                    throw new IOException("cannot open the DHCP sockets: " + e.getMessage(), e);
                }
                dhcp = d;
            }
            if (settings.ports().tftp() > 0) {
                TftpServer t = new TftpServer(TftpServer.Settings.defaults(settings.tftpRoot())
                        .withFallback(name -> firmwareFile(content, name)), group, clock);
                t.start(new InetSocketAddress(any, settings.ports().tftp()));
                tftp = t;
            }
        }

        synchronized void stop() {
            if (dhcp != null) {
                dhcp.close();
                dhcp = null;
            }
            if (tftp != null) {
                tftp.close();
                tftp = null;
            }
        }

        @Override
        public void close() {
            stop();
        }
    }

    /**
     * The iPXE script a machine gets: its local disk when it is a disk node whose last reported install is the
     * snapshot and reinstall generation the documents ask for; otherwise a network boot of its channel's snapshot
     * into its profile's mode (docs/boot-flow.md).
     */
    Optional<String> script(Mac mac, Function<String, String> httpBases) {
        ClusterConfig cluster = config();
        Optional<Node> node = cluster.nodeByMac(mac);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        Node n = node.get();
        Optional<String> snapshot = cluster.snapshotFor(n);
        if (snapshot.isEmpty()) {
            return Optional.of(IpxeScript.unavailable(n.name(), "no Channel document named " + n.channel()));
        }
        String id = snapshot.get();
        Optional<BootArtifacts> boot;
        try {
            boot = artifacts.of(id);
        } catch (IOException e) {
            boot = Optional.empty();
        }
        if (boot.isEmpty() || boot.get().file("vmlinuz").isEmpty() || boot.get().file("initrd.img").isEmpty()) {
            return Optional.of(IpxeScript.unavailable(n.name(), "snapshot " + id.substring(0, 12)
                    + " has no boot artifacts here (meshboot artifacts build)"));
        }
        Profile.InstallMode mode = cluster.installMode(n);
        Profile profile = cluster.profileOf(n);
        String httpBase = httpBases.apply(n.network());
        String base = httpBase + "/snapshots/" + id + "/boot/";
        if (mode == Profile.InstallMode.DISK) {
            Optional<InstallRecords.Installed> done = installs.of(n.name());
            if (done.isPresent() && done.get().snapshot().equals(id) && done.get().reinstall() == n.reinstall()) {
                return Optional.of(IpxeScript.localDisk(n.name(), base + "BOOTX64.EFI"));
            }
        }
        List<String> own = settings.interfaces().stream().filter(i -> i.network().equals(n.network()))
                .map(i -> i.address() + ":" + settings.ports().http()).toList();
        List<String> servers = !settings.bootServers().isEmpty() ? settings.bootServers()
                : roles.map(r -> ArchiveServers.forMachine(mac, id, own, r.advertsInView(),
                        settings.cluster().orElseThrow().channel().member())).orElse(own);
        Map<String, String> options = new java.util.LinkedHashMap<>();
        options.put("extras", profile.extras() ? "1" : "0");
        if (mode == Profile.InstallMode.DISK) {
            profile.disk().device().ifPresent(d -> options.put("disk", d));
            options.put("root", Long.toString(profile.disk().rootMiB()));
            profile.disk().persistent().ifPresent(p -> options.put("persist", p));
            options.put("reinstall", Integer.toString(n.reinstall()));
        }
        return Optional.of(IpxeScript.network(new IpxeScript.NetworkBoot(n.name(), servers, id, mode,
                base + "vmlinuz", base + "initrd.img", options)));
    }

    /** Registers the HTTP access listener (no-op when HTTP is off). */
    public void onHttpRequest(HttpBootServer.RequestListener l) {
        if (http != null) {
            http.onRequest(l);
        }
    }

    /** The configuration served now (the store's last valid view; empty before there ever was one). */
    public ClusterConfig cluster() {
        return config();
    }

    /** This member's copy of the replicated config store. */
    public ReplicatedStore configStore() {
        return configStore;
    }

    /**
     * The cluster channel, for the subsystems that share it (membership, roles, snapshot replication): register a
     * handler for a {@link dev.meshboot.node.cluster.MessageKind}, follow views with {@code onMembership}. Empty
     * for a standalone agent.
     */
    public Optional<ClusterChannel> channel() {
        return channel;
    }

    /**
     * Stops as a crash would (the demo, failure tests): the cluster channel goes silent first, so the other members
     * learn of it by failure detection rather than by a goodbye; then every connection is cut at once, transfers in
     * flight included, and the rest closes as {@link #close} does.
     */
    public void crash() {
        channel.ifPresent(c -> {
            try {
                c.silence();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "cannot silence the channel: " + e.getMessage());
            }
        });
        group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
        close();
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
        replicator.ifPresent(StoreReplicator::close);
        channel.ifPresent(ClusterChannel::close);
        group.shutdownGracefully().syncUninterruptibly();
    }
}
