package dev.meshboot.node.boot;

import dev.meshboot.clusterconfig.ClusterConfig;
import dev.meshboot.clusterconfig.Network;
import dev.meshboot.clusterconfig.Node;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The boot policy read from the cluster's documents: a known MAC gets its reserved address and a boot program
 * chosen by its firmware; an unknown one gets an address from the network's dynamic pool ({@link LeaseBook}) when
 * there is one, and otherwise nothing.
 *
 * <p>Boot program by client (RFC 4578 option 93, user class 77, vendor class 60):
 * <ul>
 *   <li>iPXE (user class "iPXE") gets the HTTP URL of its own script, so it asks the HTTP server next;
 *   <li>UEFI HTTP boot (vendor class "HTTPClient") gets the URL of {@code ipxe.efi};
 *   <li>BIOS PXE (arch 0) gets {@code undionly.kpxe} over TFTP; UEFI x86-64 PXE (arch 7 or 9) gets
 *       {@code ipxe.efi}; other architectures get no boot program.
 * </ul>
 */
public final class ConfigBootPolicy implements BootPolicy {
    private final Supplier<ClusterConfig> config;
    private final Function<String, String> httpBase;
    private final boolean proxy;
    private final Optional<LeaseBook> leases;
    private final Function<Network, Optional<Network>> poolShare;
    private final SharedLeases shared;

    /**
     * @param config the current documents (re-read on every request, so a change applies at once)
     * @param httpBase this server's HTTP base URL, e.g. {@code http://10.99.0.1:8080}, on every network
     * @param proxy proxyDHCP: answer only the boot part
     */
    public ConfigBootPolicy(Supplier<ClusterConfig> config, String httpBase, boolean proxy) {
        this(config, network -> httpBase, proxy, Optional.empty());
    }

    public ConfigBootPolicy(Supplier<ClusterConfig> config, String httpBase, boolean proxy, Optional<LeaseBook> leases) {
        this(config, network -> httpBase, proxy, leases);
    }

    /**
     * @param httpBase this server's HTTP base URL on a network (its address on the interface serving that network:
     *     a multi-homed server must hand each network a URL it can reach)
     * @param leases the dynamic pool's leases; empty to answer known machines only
     */
    public ConfigBootPolicy(Supplier<ClusterConfig> config, Function<String, String> httpBase, boolean proxy,
            Optional<LeaseBook> leases) {
        this(config, httpBase, proxy, leases, Optional::of);
    }

    /**
     * @param poolShare the part of a network's dynamic pool this server may lease from now: with K active servers,
     *     its election slot's range; empty when it may lease none (no slot, or no quorum: node/mesh/Election)
     */
    public ConfigBootPolicy(Supplier<ClusterConfig> config, Function<String, String> httpBase, boolean proxy,
            Optional<LeaseBook> leases, Function<Network, Optional<Network>> poolShare) {
        this(config, httpBase, proxy, leases, poolShare, SharedLeases.NONE);
    }

    /**
     * @param shared the leases every active server has handed out (the replicated store): never offered to another
     *     machine, and every lease acknowledged here is recorded there
     */
    public ConfigBootPolicy(Supplier<ClusterConfig> config, Function<String, String> httpBase, boolean proxy,
            Optional<LeaseBook> leases, Function<Network, Optional<Network>> poolShare, SharedLeases shared) {
        this.shared = shared;
        this.config = config;
        this.httpBase = httpBase;
        this.proxy = proxy;
        this.leases = leases;
        this.poolShare = poolShare;
    }

    @Override
    public Optional<BootAnswer> answer(BootRequest request) {
        ClusterConfig c = config.get();
        Optional<Node> node = c.nodeByMac(request.mac());
        if (node.isEmpty()) {
            return proxy ? Optional.empty() : dynamic(c, request);
        }
        Node n = node.get();
        Optional<BootAnswer.Lease> lease = Optional.empty();
        if (!proxy) {
            Optional<Network> net = c.cluster().network(n.network());
            if (net.isEmpty() || !net.get().name().equals(request.network())) {
                return Optional.empty(); // its reservation is on another network: not ours to answer here
            }
            Network network = net.get();
            lease = Optional.of(new BootAnswer.Lease(n.address(), network.subnet().netmask(), network.gateway(),
                    network.dns(), n.hostname(), network.domain(), network.leaseSeconds()));
        }
        if (request.isIpxe()) {
            return Optional.of(new BootAnswer(lease, Optional.of(httpBase.apply(request.network()) + "/boot/" + n.mac() + ".ipxe"), false));
        }
        if (request.isHttpClient()) {
            return Optional.of(new BootAnswer(lease, Optional.of(httpBase.apply(request.network()) + "/boot/ipxe.efi"), true));
        }
        Optional<String> file = request.architectures().stream().findFirst().flatMap(ConfigBootPolicy::tftpProgram);
        return Optional.of(new BootAnswer(lease, file, false));
    }

    /** An unknown machine on a network with a pool: an address from the lease book, and a boot program. */
    private Optional<BootAnswer> dynamic(ClusterConfig c, BootRequest request) {
        Optional<Network> net = c.cluster().network(request.network()).flatMap(poolShare);
        if (leases.isEmpty() || net.isEmpty()) {
            return Optional.empty();
        }
        Network network = net.get();
        java.util.Set<dev.meshboot.clusterconfig.Ipv4> reserved = new java.util.HashSet<>();
        c.nodes().forEach(n -> reserved.add(n.address()));
        reserved.addAll(shared.heldByOthers(network.name(), request.mac()));
        return leases.get().offer(network, request.mac(), reserved).map(address -> {
            BootAnswer.Lease lease = new BootAnswer.Lease(address, network.subnet().netmask(), network.gateway(),
                    network.dns(), "dyn-" + request.mac().text().replace(":", ""), network.domain(),
                    network.leaseSeconds());
            Optional<String> file = request.isIpxe() || request.isHttpClient() ? Optional.empty()
                    : request.architectures().stream().findFirst().flatMap(ConfigBootPolicy::tftpProgram);
            return new BootAnswer(Optional.of(lease), file, false);
        });
    }

    @Override
    public void acknowledged(BootRequest request, BootAnswer.Lease lease) {
        ClusterConfig c = config.get();
        if (leases.isPresent() && c.nodeByMac(request.mac()).isEmpty()) {
            c.cluster().network(request.network()).ifPresent(n -> {
                leases.get().commit(n, request.mac(), lease.address(), lease.leaseSeconds());
                shared.leased(n.name(), request.mac(), lease.address(), lease.leaseSeconds());
            });
        }
    }

    @Override
    public void released(BootRequest request) {
        ClusterConfig c = config.get();
        leases.ifPresent(book -> c.cluster().network(request.network()).ifPresent(n -> book.release(n, request.mac())));
    }

    @Override
    public void declined(BootRequest request, dev.meshboot.clusterconfig.Ipv4 address) {
        ClusterConfig c = config.get();
        leases.ifPresent(book -> c.cluster().network(request.network())
                .ifPresent(n -> book.decline(n, request.mac(), address)));
    }

    static Optional<String> tftpProgram(int arch) {
        return switch (arch) {
            case 0 -> Optional.of("undionly.kpxe");
            case 7, 9 -> Optional.of("ipxe.efi");
            default -> Optional.empty();
        };
    }
}
