package dev.meshboot.node.boot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.meshboot.clusterconfig.Ipv4;
import dev.meshboot.clusterconfig.Mac;
import dev.meshboot.clusterconfig.Network;
import dev.meshboot.images.store.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The dynamic pool's leases on this agent, for machines not yet enrolled. The clock is injected: offers and leases
 * expire by it.
 *
 * <p>RFC 2131 section 4.3.1: an OFFER holds its address for {@link #OFFER_HOLD_SECONDS}; a REQUEST that is acked
 * turns it into a lease for the network's lease time; RELEASE frees it; DECLINE (the client found the address in
 * use) takes the address out of the pool for one lease time. Free addresses are handed out from a moving cursor, so
 * an offer costs O(1) however many leases exist, and a machine that returns gets the address it had while its
 * lease lives.
 *
 * <p>Durability: offers live in memory only (losing one in a crash is harmless, the client just asks again);
 * every lease, release and decline is appended to a journal and flushed to disk before the server answers, so a
 * restart never gives an address twice. On open the journal is replayed and compacted into a snapshot.
 *
 * <p>In a cluster each active server leases only from its election slot's range of the pool, and every lease is
 * also written to the replicated store ({@link SharedLeases}), so that the next holder of a range knows it; this
 * book stays the server's own durable record.
 */
public final class LeaseBook implements AutoCloseable {
    public static final int OFFER_HOLD_SECONDS = 60;
    private static final String DECLINED = "declined";

    /** One lease; {@code mac} is "declined" for an address a client reported in use. */
    public record Lease(String network, String mac, String address, long expiresEpochSecond, boolean committed) {}

    /** A journal record: {@code op} is lease, release or decline. */
    private record Entry(String op, Lease lease) {}

    private final Path file;
    private final Clock clock;
    private final ObjectMapper json = JsonMapper.builder().build();
    private final Map<String, Lease> byMac = new HashMap<>();
    private final Map<String, Lease> byAddress = new HashMap<>();
    private final Map<String, Long> cursor = new HashMap<>();
    private final FileChannel journal;

    /** Opens (or creates) the book at {@code file}, replaying and compacting its journal. */
    public LeaseBook(Path file, Clock clock) throws IOException {
        this.file = file.toAbsolutePath();
        this.clock = clock;
        Files.createDirectories(this.file.getParent());
        if (Files.exists(this.file)) {
            for (String line : Files.readAllLines(this.file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    apply(json.readValue(line, Entry.class));
                }
            }
        }
        compact();
        this.journal = FileChannel.open(this.file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private static String key(String network, String value) {
        return network + "|" + value;
    }

    private void apply(Entry e) {
        Lease l = e.lease();
        Lease old = byMac.remove(key(l.network(), l.mac()));
        if (old != null) {
            byAddress.remove(key(old.network(), old.address()));
        }
        if (e.op().equals("release")) {
            return;
        }
        Lease displaced = byAddress.put(key(l.network(), l.address()), l);
        if (displaced != null && !displaced.mac().equals(l.mac())) {
            byMac.remove(key(displaced.network(), displaced.mac()));
        }
        if (!l.mac().equals(DECLINED)) {
            byMac.put(key(l.network(), l.mac()), l);
        }
    }

    /** Rewrites the journal as one record per live, committed lease (atomically). */
    private void compact() throws IOException {
        long now = clock.instant().getEpochSecond();
        StringBuilder b = new StringBuilder();
        for (Lease l : byAddress.values()) {
            if (l.committed() && l.expiresEpochSecond() > now) {
                b.append(json.writeValueAsString(new Entry("lease", l))).append('\n');
            }
        }
        AtomicFiles.write(file.getParent(), file, b.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void record(String op, Lease l) {
        apply(new Entry(op, l));
        try {
            byte[] line = (json.writeValueAsString(new Entry(op, l)) + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer buf = ByteBuffer.wrap(line);
            while (buf.hasRemaining()) {
                journal.write(buf);
            }
            journal.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot persist leases to " + file, e);
        }
    }

    private boolean live(Lease l, long now) {
        return l != null && l.expiresEpochSecond() > now;
    }

    /**
     * The address to offer {@code mac} on {@code network}: its current lease or offer if it has one, else the next
     * free pool address (held as an offer, in memory). Empty when the network has no pool or the pool is full.
     */
    public synchronized Optional<Ipv4> offer(Network network, Mac mac, Set<Ipv4> reserved) {
        if (network.pool().isEmpty()) {
            return Optional.empty();
        }
        long now = clock.instant().getEpochSecond();
        Lease mine = byMac.get(key(network.name(), mac.text()));
        if (live(mine, now)) {
            return Optional.of(Ipv4.parse(mine.address()));
        }
        Network.Pool pool = network.pool().get();
        long first = Integer.toUnsignedLong(pool.start().bits());
        long size = pool.size();
        long start = cursor.getOrDefault(network.name(), 0L);
        for (long i = 0; i < size; i++) {
            long offset = (start + i) % size;
            Ipv4 candidate = new Ipv4((int) (first + offset));
            if (reserved.contains(candidate) || live(byAddress.get(key(network.name(), candidate.toString())), now)) {
                continue;
            }
            cursor.put(network.name(), (offset + 1) % size);
            apply(new Entry("offer", new Lease(network.name(), mac.text(), candidate.toString(),
                    now + OFFER_HOLD_SECONDS, false)));
            return Optional.of(candidate);
        }
        return Optional.empty();
    }

    /** The client's REQUEST was acked: its offer becomes a lease of {@code seconds}, durable before the ACK goes. */
    public synchronized void commit(Network network, Mac mac, Ipv4 address, int seconds) {
        long now = clock.instant().getEpochSecond();
        record("lease", new Lease(network.name(), mac.text(), address.toString(), now + seconds, true));
    }

    public synchronized void release(Network network, Mac mac) {
        Lease l = byMac.get(key(network.name(), mac.text()));
        if (l != null) {
            record("release", l);
        }
    }

    /** The client found {@code address} in use (RFC 2131 section 4.3.3): keep it out of the pool for a lease time. */
    public synchronized void decline(Network network, Mac mac, Ipv4 address) {
        long now = clock.instant().getEpochSecond();
        Lease l = byMac.get(key(network.name(), mac.text()));
        if (l != null) {
            record("release", l);
        }
        record("decline", new Lease(network.name(), DECLINED, address.toString(), now + network.leaseSeconds(), false));
    }

    /** Every live lease and decline, for status pages and tests. */
    public synchronized List<Lease> leases() {
        long now = clock.instant().getEpochSecond();
        List<Lease> out = new ArrayList<>();
        for (Lease l : byAddress.values()) {
            if (live(l, now) && (l.committed() || l.mac().equals(DECLINED))) {
                out.add(l);
            }
        }
        return out;
    }

    @Override
    public synchronized void close() throws IOException {
        journal.close();
    }
}
