package dev.meshboot.node.boot;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.meshboot.clusterconfig.Ipv4;
import dev.meshboot.clusterconfig.Mac;
import dev.meshboot.clusterconfig.Network;
import dev.meshboot.images.store.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The dynamic pool's leases on this agent, for machines not yet enrolled, persisted to a file after every change
 * (atomically), so a restart hands out no address twice. The clock is injected: offers and leases expire by it.
 *
 * <p>RFC 2131 section 4.3.1: an OFFER holds its address for {@link #OFFER_HOLD_SECONDS}; a REQUEST that is acked
 * turns it into a lease for the network's lease time; RELEASE frees it; DECLINE (the client found the address in
 * use) takes the address out of the pool for one lease time. The lowest free address is offered first, and a
 * machine that comes back gets the address it had, as long as its lease has not been given to another.
 *
 * <p>The replicated store (a later issue) will hold these leases for the whole mesh and split the pool between
 * active servers by rank; this book is the single-agent form of the same rules.
 */
public final class LeaseBook {
    public static final int OFFER_HOLD_SECONDS = 60;
    private static final String DECLINED = "declined";

    /** One lease; {@code mac} is "declined" for an address a client reported in use. */
    public record Lease(String network, String mac, String address, long expiresEpochSecond, boolean committed) {}

    private final Path file;
    private final Clock clock;
    private final ObjectMapper json = JsonMapper.builder().build();
    private final List<Lease> leases;

    public LeaseBook(Path file, Clock clock) throws IOException {
        this.file = file;
        this.clock = clock;
        this.leases = Files.exists(file)
                ? new ArrayList<>(json.readValue(Files.readAllBytes(file), new TypeReference<List<Lease>>() {}))
                : new ArrayList<>();
    }

    /**
     * The address to offer {@code mac} on {@code network}: its current lease or offer if it has one, else the lowest
     * free pool address (held as an offer). Empty when the network has no pool or the pool is full.
     */
    public synchronized Optional<Ipv4> offer(Network network, Mac mac, Set<Ipv4> reserved) {
        if (network.pool().isEmpty()) {
            return Optional.empty();
        }
        long now = clock.instant().getEpochSecond();
        Optional<Lease> mine = live(network.name(), now).stream().filter(l -> l.mac().equals(mac.text())).findFirst();
        if (mine.isPresent()) {
            return Optional.of(Ipv4.parse(mine.get().address()));
        }
        Network.Pool pool = network.pool().get();
        List<Lease> live = live(network.name(), now);
        for (long a = Integer.toUnsignedLong(pool.start().bits()); a <= Integer.toUnsignedLong(pool.end().bits()); a++) {
            Ipv4 candidate = new Ipv4((int) a);
            if (reserved.contains(candidate) || live.stream().anyMatch(l -> l.address().equals(candidate.toString()))) {
                continue;
            }
            replace(network.name(), mac.text(), new Lease(network.name(), mac.text(), candidate.toString(),
                    now + OFFER_HOLD_SECONDS, false));
            return Optional.of(candidate);
        }
        return Optional.empty();
    }

    /** The client's REQUEST was acked: its offer becomes a lease of {@code seconds}. */
    public synchronized void commit(Network network, Mac mac, Ipv4 address, int seconds) {
        long now = clock.instant().getEpochSecond();
        replace(network.name(), mac.text(), new Lease(network.name(), mac.text(), address.toString(), now + seconds,
                true));
    }

    public synchronized void release(Network network, Mac mac) {
        if (leases.removeIf(l -> l.network().equals(network.name()) && l.mac().equals(mac.text()))) {
            save();
        }
    }

    /** The client found {@code address} in use (RFC 2131 section 4.3.3): keep it out of the pool for a lease time. */
    public synchronized void decline(Network network, Mac mac, Ipv4 address) {
        long now = clock.instant().getEpochSecond();
        leases.removeIf(l -> l.network().equals(network.name()) && l.mac().equals(mac.text()));
        leases.add(new Lease(network.name(), DECLINED, address.toString(), now + network.leaseSeconds(), false));
        save();
    }

    public synchronized List<Lease> leases() {
        return List.copyOf(leases);
    }

    private List<Lease> live(String network, long now) {
        return leases.stream().filter(l -> l.network().equals(network) && l.expiresEpochSecond() > now).toList();
    }

    private void replace(String network, String mac, Lease lease) {
        long now = clock.instant().getEpochSecond();
        leases.removeIf(l -> l.expiresEpochSecond() <= now && !l.mac().equals(mac));
        leases.removeIf(l -> l.network().equals(network) && l.mac().equals(mac));
        leases.add(lease);
        save();
    }

    private void save() {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            AtomicFiles.write(file.toAbsolutePath().getParent(), file, json.writeValueAsBytes(leases));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot persist leases to " + file, e);
        }
    }

}
