package dev.meshboot.node.dhcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.clusterconfig.ClusterConfig;
import dev.meshboot.clusterconfig.Ipv4;
import dev.meshboot.node.boot.ConfigBootPolicy;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DhcpResponderTest {
    private static final Ipv4 SERVER = Ipv4.parse("10.99.0.1");

    @TempDir
    Path dir;

    private ClusterConfig config;
    private DhcpResponder full;
    private DhcpResponder proxy;

    @BeforeEach
    void setUp() throws Exception {
        config = TestCluster.load(dir);
        full = new DhcpResponder(new ConfigBootPolicy(() -> config, "http://10.99.0.1:8080", false), false);
        proxy = new DhcpResponder(new ConfigBootPolicy(() -> config, "http://10.99.0.1:8080", true), true);
    }

    static DhcpMessage request(String mac, DhcpMessageType type, DhcpOptions extra, int ciaddr, int giaddr) {
        byte[] chaddr = new byte[16];
        System.arraycopy(HexFormat.ofDelimiter(":").parseHex(mac), 0, chaddr, 0, 6);
        DhcpOptions o = extra.copy().set(DhcpOptions.MESSAGE_TYPE, new byte[] {(byte) type.code});
        return new DhcpMessage(1, 1, 6, 0, 0x5eed, 3, 0, ciaddr, 0, 0, giaddr, chaddr, "", "", o);
    }

    static DhcpOptions bios() {
        return new DhcpOptions().set(DhcpOptions.CLIENT_ARCH, new byte[] {0, 0})
                .set(DhcpOptions.VENDOR_CLASS, "PXEClient:Arch:00000:UNDI:002001");
    }

    private DhcpResponder.Reply only(Optional<DhcpResponder.Reply> r) {
        assertTrue(r.isPresent(), "expected a reply");
        return r.get();
    }

    @Test
    void biosDiscover_fromAKnownMachine_getsItsReservationAndUndionly() {
        DhcpResponder.Reply r = only(full.respond(request("52:54:00:12:34:01", DhcpMessageType.DISCOVER, bios(), 0, 0),
                "prov", SERVER, false, 68));
        DhcpMessage m = r.message();
        assertEquals(DhcpMessageType.OFFER, m.options().messageType().orElseThrow());
        assertEquals(Ipv4.parse("10.99.0.11").bits(), m.yiaddr());
        assertEquals(SERVER.bits(), m.siaddr(), "next-server");
        assertEquals("undionly.kpxe", m.file());
        assertEquals(SERVER.bits(), m.options().int32(DhcpOptions.SERVER_ID).orElseThrow());
        assertEquals(Ipv4.parse("255.255.255.0").bits(), m.options().int32(DhcpOptions.SUBNET_MASK).orElseThrow());
        assertEquals(SERVER.bits(), m.options().int32(DhcpOptions.ROUTER).orElseThrow());
        assertEquals(600, m.options().int32(DhcpOptions.LEASE_TIME).orElseThrow());
        assertArrayEquals("node-01".getBytes(), m.options().get(DhcpOptions.HOSTNAME).orElseThrow());
        assertArrayEquals(new byte[] {10, 99, 0, 1, 10, 99, 0, 2}, m.options().get(DhcpOptions.DNS).orElseThrow());
        assertEquals(0x5eed, m.xid());
        assertEquals(new Ipv4(-1), r.destination(), "no address yet and no ARP entry: broadcast");
        assertEquals(68, r.port());
    }

    @Test
    void unknownMachine_getsNoAnswer_soAnotherServerMay() {
        assertTrue(full.respond(request("52:54:00:99:99:99", DhcpMessageType.DISCOVER, bios(), 0, 0), "prov", SERVER,
                false, 68).isEmpty());
    }

    @Test
    void request_forItsAddress_isAcked_forAnother_isNakked_forAnotherServer_isIgnored() {
        DhcpOptions mine = bios().copy().setInt(DhcpOptions.REQUESTED_IP, Ipv4.parse("10.99.0.11").bits())
                .setInt(DhcpOptions.SERVER_ID, SERVER.bits());
        assertEquals(DhcpMessageType.ACK, only(full.respond(request("52:54:00:12:34:01", DhcpMessageType.REQUEST, mine,
                0, 0), "prov", SERVER, false, 68)).message().options().messageType().orElseThrow());

        DhcpOptions wrong = bios().copy().setInt(DhcpOptions.REQUESTED_IP, Ipv4.parse("10.99.0.77").bits());
        DhcpResponder.Reply nak = only(full.respond(request("52:54:00:12:34:01", DhcpMessageType.REQUEST, wrong, 0, 0),
                "prov", SERVER, false, 68));
        assertEquals(DhcpMessageType.NAK, nak.message().options().messageType().orElseThrow());
        assertEquals(0, nak.message().yiaddr());

        DhcpOptions other = mine.copy().setInt(DhcpOptions.SERVER_ID, Ipv4.parse("10.99.0.2").bits());
        assertTrue(full.respond(request("52:54:00:12:34:01", DhcpMessageType.REQUEST, other, 0, 0), "prov", SERVER,
                false, 68).isEmpty());
    }

    @Test
    void bootProgram_followsTheFirmware() {
        DhcpOptions uefi = new DhcpOptions().set(DhcpOptions.CLIENT_ARCH, new byte[] {0, 7})
                .set(DhcpOptions.VENDOR_CLASS, "PXEClient:Arch:00007:UNDI:003016");
        assertEquals("ipxe.efi", offer("52:54:00:12:34:01", uefi).file());

        DhcpOptions ipxe = uefi.copy().set(DhcpOptions.USER_CLASS, "iPXE");
        DhcpMessage m = offer("52:54:00:12:34:01", ipxe);
        assertEquals("http://10.99.0.1:8080/boot/52:54:00:12:34:01.ipxe", m.file());
        assertEquals(SERVER.bits(), m.siaddr(), "iPXE wants next-server with a file name, even a URL (proxyDHCP)");

        DhcpOptions http = new DhcpOptions().set(DhcpOptions.CLIENT_ARCH, new byte[] {0, 16})
                .set(DhcpOptions.VENDOR_CLASS, "HTTPClient:Arch:00016:UNDI:003001");
        DhcpMessage h = offer("52:54:00:12:34:01", http);
        assertEquals("http://10.99.0.1:8080/boot/ipxe.efi", h.file());
        assertArrayEquals("HTTPClient".getBytes(), h.options().get(DhcpOptions.VENDOR_CLASS).orElseThrow());
    }

    private DhcpMessage offer(String mac, DhcpOptions o) {
        return only(full.respond(request(mac, DhcpMessageType.DISCOVER, o, 0, 0), "prov", SERVER, false, 68)).message();
    }

    @Test
    void relayedRequest_isAnsweredToTheRelay() {
        int relay = Ipv4.parse("10.99.0.254").bits();
        DhcpResponder.Reply r = only(full.respond(request("52:54:00:12:34:01", DhcpMessageType.DISCOVER, bios(), 0,
                relay), "prov", SERVER, false, 67));
        assertEquals(new Ipv4(relay), r.destination());
        assertEquals(67, r.port());
        assertEquals(relay, r.message().giaddr());
    }

    @Test
    void inform_isAckedToTheClientsAddress_withoutAnAddress() {
        int ciaddr = Ipv4.parse("10.99.0.11").bits();
        DhcpResponder.Reply r = only(full.respond(request("52:54:00:12:34:01", DhcpMessageType.INFORM, bios(), ciaddr,
                0), "prov", SERVER, false, 68));
        assertEquals(DhcpMessageType.ACK, r.message().options().messageType().orElseThrow());
        assertEquals(0, r.message().yiaddr());
        assertEquals(new Ipv4(ciaddr), r.destination());
        assertTrue(r.message().options().has(DhcpOptions.SUBNET_MASK));
    }

    @Test
    void reservationOnAnotherNetwork_isNotAnsweredHere() {
        assertTrue(full.respond(request("52:54:00:12:34:01", DhcpMessageType.DISCOVER, bios(), 0, 0), "storage",
                SERVER, false, 68).isEmpty());
    }

    @Test
    void proxyDhcp_answersOnlyTheBootPart_toPxeClientsOnly() {
        DhcpResponder.Reply r = only(proxy.respond(request("52:54:00:12:34:01", DhcpMessageType.DISCOVER, bios(), 0,
                0), "prov", SERVER, false, 68));
        DhcpMessage m = r.message();
        assertEquals(0, m.yiaddr(), "the site's DHCP server gives the address");
        assertTrue(m.options().int32(DhcpOptions.LEASE_TIME).isEmpty());
        assertEquals("undionly.kpxe", m.file());
        assertArrayEquals("PXEClient".getBytes(), m.options().get(DhcpOptions.VENDOR_CLASS).orElseThrow());
        assertArrayEquals(new byte[] {6, 1, 8, (byte) 255}, m.options().get(DhcpOptions.VENDOR_SPECIFIC).orElseThrow());

        assertTrue(proxy.respond(request("52:54:00:12:34:01", DhcpMessageType.DISCOVER, new DhcpOptions(), 0, 0),
                "prov", SERVER, false, 68).isEmpty(), "a plain DHCP client is the site server's business");

        int ciaddr = Ipv4.parse("10.99.0.55").bits();
        DhcpResponder.Reply ack = only(proxy.respond(request("52:54:00:12:34:01", DhcpMessageType.REQUEST, bios(),
                ciaddr, 0), "prov", SERVER, true, 4011));
        assertEquals(DhcpMessageType.ACK, ack.message().options().messageType().orElseThrow());
        assertEquals(new Ipv4(ciaddr), ack.destination());
        assertEquals(4011, ack.port(), "PXE's port-4011 exchange is answered to the port it came from");
        assertEquals("undionly.kpxe", ack.message().file());
    }
}
