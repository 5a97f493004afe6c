package dev.meshboot.node.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.clusterconfig.Ipv4;
import dev.meshboot.clusterconfig.Mac;
import dev.meshboot.clusterconfig.Network;
import dev.meshboot.images.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dynamic pool's rules with a hand-advanced clock: no sleeping. */
class LeaseBookTest {
    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final Network net = new Network("prov", Ipv4.Subnet.parse("10.99.0.0/24"), Optional.empty(), List.of(), "",
            600, Optional.of(new Network.Pool(Ipv4.parse("10.99.0.100"), Ipv4.parse("10.99.0.102"))));
    private final Mac a = Mac.parse("02:00:00:00:00:0a");
    private final Mac b = Mac.parse("02:00:00:00:00:0b");
    private final Mac c = Mac.parse("02:00:00:00:00:0c");
    private final Mac d = Mac.parse("02:00:00:00:00:0d");

    private LeaseBook book() throws Exception {
        return new LeaseBook(dir.resolve("leases.json"), clock);
    }

    private static Ipv4 ip(String s) {
        return Ipv4.parse(s);
    }

    @Test
    void offers_theNextFreeAddress_andTheSameOneAgainToTheSameMachine() throws Exception {
        LeaseBook book = book();
        assertEquals(Optional.of(ip("10.99.0.100")), book.offer(net, a, Set.of()));
        assertEquals(Optional.of(ip("10.99.0.101")), book.offer(net, b, Set.of()));
        assertEquals(Optional.of(ip("10.99.0.100")), book.offer(net, a, Set.of()));
    }

    @Test
    void anUnansweredOffer_expires_andItsAddressReturnsToThePool() throws Exception {
        LeaseBook book = book();
        book.offer(net, a, Set.of());
        book.offer(net, b, Set.of());
        book.offer(net, c, Set.of());
        assertEquals(Optional.empty(), book.offer(net, d, Set.of()), "every address is held by an offer");
        clock.advance(Duration.ofSeconds(LeaseBook.OFFER_HOLD_SECONDS + 1));
        assertEquals(Optional.of(ip("10.99.0.100")), book.offer(net, d, Set.of()), "expired offers free their address");
    }

    @Test
    void aCommittedLease_holdsForTheLeaseTime_andSurvivesARestart() throws Exception {
        LeaseBook book = book();
        Ipv4 addr = book.offer(net, a, Set.of()).orElseThrow();
        book.commit(net, a, addr, 600);
        clock.advance(Duration.ofSeconds(300));
        LeaseBook reopened = book();
        assertEquals(Optional.of(ip("10.99.0.101")), reopened.offer(net, b, Set.of()), "no address given twice");
        assertEquals(Optional.of(addr), reopened.offer(net, a, Set.of()), "the machine keeps its address");
        assertEquals(List.of(new LeaseBook.Lease("prov", a.text(), addr.toString(),
                Instant.parse("2026-11-22T00:10:00Z").getEpochSecond(), true)), reopened.leases(),
                "only the committed lease is durable; offers live in memory");
    }

    @Test
    void aFullPool_offersNothing_andReservedAddressesAreSkipped() throws Exception {
        LeaseBook book = book();
        assertEquals(Optional.of(ip("10.99.0.101")), book.offer(net, a, Set.of(ip("10.99.0.100"))));
        book.offer(net, b, Set.of());
        book.offer(net, c, Set.of());
        assertEquals(Optional.empty(), book.offer(net, d, Set.of()));
    }

    @Test
    void release_freesTheAddress_andDecline_takesItOutForALeaseTime() throws Exception {
        LeaseBook book = book();
        Ipv4 first = book.offer(net, a, Set.of()).orElseThrow();
        book.commit(net, a, first, 600);
        book.release(net, a);
        assertEquals(Optional.of(ip("10.99.0.101")), book.offer(net, b, Set.of()), "the cursor moves on");
        assertEquals(Optional.of(ip("10.99.0.102")), book.offer(net, c, Set.of()));
        assertEquals(Optional.of(first), book.offer(net, d, Set.of()), "the released address comes round again");

        LeaseBook fresh = new LeaseBook(dir.resolve("other.json"), clock);
        fresh.decline(net, a, ip("10.99.0.100"));
        assertEquals(Optional.of(ip("10.99.0.101")), fresh.offer(net, b, Set.of()), "a declined address is skipped");
        assertEquals(Optional.of(ip("10.99.0.102")), fresh.offer(net, c, Set.of()));
        assertEquals(Optional.empty(), fresh.offer(net, d, Set.of()));
        clock.advance(Duration.ofSeconds(601));
        assertEquals(Optional.of(ip("10.99.0.100")), fresh.offer(net, d, Set.of()), "after a lease time it returns");
    }
}
