package dev.meshboot.node.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.clusterconfig.Ipv4;
import dev.meshboot.clusterconfig.Mac;
import dev.meshboot.node.dhcp.DhcpMessage;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RelayTableTest {
    private static final Ipv4 RELAY = Ipv4.parse("127.0.0.2");
    private static final Mac MAC = Mac.parse("02:00:00:00:00:01");
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static DhcpMessage request(int xid, int hops, int giaddr) {
        DhcpMessage m = DhcpClient.discover(MAC, xid, DhcpClient.Stage.FIRMWARE);
        return new DhcpMessage(m.op(), m.htype(), m.hlen(), hops, m.xid(), m.secs(), m.flags(), m.ciaddr(), m.yiaddr(),
                m.siaddr(), giaddr, m.chaddr(), m.sname(), m.file(), m.options());
    }

    private static DhcpMessage reply(DhcpMessage request) {
        return new DhcpMessage(DhcpMessage.BOOTREPLY, 1, 6, 0, request.xid(), 0, 0, 0, 0, 0, request.giaddr(),
                request.chaddr(), "", "", request.options());
    }

    @Test
    void towardServers_setsGiaddrAndCountsTheHop() {
        DhcpMessage out = RelayTable.towardServers(request(7, 0, 0), RELAY).orElseThrow();
        assertEquals(RELAY.bits(), out.giaddr());
        assertEquals(1, out.hops());
        assertEquals(7, out.xid());
    }

    @Test
    void towardServers_keepsTheFirstRelaysGiaddr() {
        int first = Ipv4.parse("10.0.0.1").bits();
        assertEquals(first, RelayTable.towardServers(request(7, 1, first), RELAY).orElseThrow().giaddr());
    }

    @Test
    void towardServers_dropsRepliesAndRequestsPastTheHopLimit() {
        assertEquals(Optional.empty(), RelayTable.towardServers(request(7, RelayTable.MAX_HOPS, 0), RELAY));
        assertEquals(Optional.empty(), RelayTable.towardServers(reply(request(7, 0, 0)), RELAY));
    }

    @Test
    void clientOf_findsTheClientByXidAndChaddr() {
        RelayTable t = new RelayTable();
        InetSocketAddress client = new InetSocketAddress("127.0.0.1", 40001);
        DhcpMessage req = request(42, 0, 0);
        t.remember(req, client, T0);
        assertEquals(Optional.of(client), t.clientOf(reply(req), T0.plusSeconds(1)));
        assertEquals(Optional.empty(), t.clientOf(reply(request(43, 0, 0)), T0.plusSeconds(1)));
    }

    @Test
    void clientOf_forgetsAClientAfterTheKeepTime() {
        RelayTable t = new RelayTable();
        DhcpMessage req = request(42, 0, 0);
        t.remember(req, new InetSocketAddress("127.0.0.1", 40001), T0);
        assertEquals(Optional.empty(), t.clientOf(reply(req), T0.plus(RelayTable.KEEP).plus(Duration.ofSeconds(1))));
        assertEquals(0, t.size());
    }

    @Test
    void remember_isBounded_oldestGoesFirst() {
        RelayTable t = new RelayTable();
        for (int i = 0; i < RelayTable.MAX_ENTRIES + 10; i++) {
            t.remember(request(i, 0, 0), new InetSocketAddress("127.0.0.1", 40000), T0);
        }
        assertEquals(RelayTable.MAX_ENTRIES, t.size());
        assertTrue(t.clientOf(reply(request(0, 0, 0)), T0).isEmpty());
        assertTrue(t.clientOf(reply(request(RelayTable.MAX_ENTRIES + 9, 0, 0)), T0).isPresent());
    }
}
