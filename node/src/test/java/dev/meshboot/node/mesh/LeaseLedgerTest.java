package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.clusterconfig.ClusterConfig;
import dev.meshboot.clusterconfig.ConfigLoader;
import dev.meshboot.clusterconfig.Ipv4;
import dev.meshboot.clusterconfig.Mac;
import dev.meshboot.clusterconfig.store.ReplicatedStore;
import dev.meshboot.node.boot.BootAnswer;
import dev.meshboot.node.boot.BootRequest;
import dev.meshboot.node.boot.ConfigBootPolicy;
import dev.meshboot.node.boot.LeaseBook;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool range that moves from one server to another (its holder died, or a partition healed) carries its leases
 * through the replicated store: the new holder never offers an address the old one leased to another machine.
 */
class LeaseLedgerTest {
    @TempDir
    Path dir;

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-22T08:00:00Z"), ZoneOffset.UTC);

    private ConfigBootPolicy server(String name, ClusterConfig config, ReplicatedStore store) throws Exception {
        LeaseBook book = new LeaseBook(dir.resolve(name + "-leases.json"), clock);
        LeaseLedger ledger = new LeaseLedger(store::documents, docs -> {
            for (var d : docs) {
                store.write(d);
            }
        }, name, clock);
        return new ConfigBootPolicy(() -> config, n -> "http://" + name, false, Optional.of(book), Optional::of, ledger);
    }

    private static BootRequest discover(String mac) {
        return new BootRequest(Mac.parse(mac), "prov", List.of(0), List.of(), Optional.empty());
    }

    @Test
    void aSlotsNewHolder_neverOffersAnAddressTheOldHolderLeasedToAnotherMachine() throws Exception {
        Path f = Files.writeString(dir.resolve("c.yaml"), """
                kind: Cluster
                name: c
                spec:
                  networks:
                    - {name: prov, subnet: 10.99.0.0/24, pool: {start: 10.99.0.100, end: 10.99.0.102}}
                """);
        ClusterConfig config = new ConfigLoader().load(List.of(f));
        ReplicatedStore storeA = ReplicatedStore.inMemory("a", clock);
        ReplicatedStore storeB = ReplicatedStore.inMemory("b", clock);
        ConfigBootPolicy a = server("a", config, storeA);
        ConfigBootPolicy b = server("b", config, storeB);

        BootRequest first = discover("02:00:00:00:00:01");
        BootAnswer.Lease leased = a.answer(first).orElseThrow().lease().orElseThrow();
        a.acknowledged(first, leased);
        assertEquals(1, LeaseLedger.entries(storeA.documents()).size(), "the lease is a store document");
        storeB.applyRemote(storeA.versions()); // what the channel does

        for (int i = 2; i <= 3; i++) {
            BootRequest other = discover("02:00:00:00:00:0" + i);
            BootAnswer.Lease offered = b.answer(other).orElseThrow().lease().orElseThrow();
            assertNotEquals(leased.address(), offered.address(), "offered " + other.mac() + " the address of "
                    + first.mac());
            b.acknowledged(other, offered);
        }
        assertTrue(b.answer(discover("02:00:00:00:00:04")).isEmpty(), "the pool of three is full across both servers");
        assertEquals(Ipv4.parse("10.99.0.100"), leased.address());
    }
}
