package dev.meshboot.node.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.clusterconfig.Ipv4;
import dev.meshboot.clusterconfig.Mac;
import dev.meshboot.node.dhcp.DhcpCodec;
import dev.meshboot.node.dhcp.DhcpMessage;
import dev.meshboot.node.dhcp.DhcpMessageType;
import dev.meshboot.node.dhcp.DhcpOptions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The client's messages as the server's codec reads them: the stages must be told apart as the policy expects. */
class DhcpClientTest {
    private static final Mac MAC = Mac.parse("02:00:00:00:00:07");

    private static DhcpMessage roundTrip(DhcpMessage m) throws Exception {
        byte[] b = DhcpCodec.encode(m);
        return DhcpCodec.decode(b, 0, b.length);
    }

    @Test
    void discover_firmware_isABiosPxeClient() throws Exception {
        DhcpMessage m = roundTrip(DhcpClient.discover(MAC, 5, DhcpClient.Stage.FIRMWARE));
        assertEquals(Optional.of(MAC), m.mac());
        assertEquals(Optional.of(DhcpMessageType.DISCOVER), m.options().messageType());
        assertEquals(List.of(0), m.options().clientArchitectures());
        assertTrue(m.options().vendorClass().orElseThrow().startsWith("PXEClient"));
        assertEquals(List.of(), m.options().userClasses());
    }

    @Test
    void discover_ipxe_carriesUserClassIpxe_andInitNoPxeOptions() throws Exception {
        assertEquals(List.of("iPXE"), roundTrip(DhcpClient.discover(MAC, 5, DhcpClient.Stage.IPXE)).options()
                .userClasses());
        DhcpMessage init = roundTrip(DhcpClient.discover(MAC, 5, DhcpClient.Stage.INIT));
        assertEquals(List.of(), init.options().clientArchitectures());
        assertTrue(init.options().vendorClass().orElseThrow().startsWith("udhcp"));
    }

    @Test
    void request_namesTheOfferingServerAndAddress_inTheSameTransaction() throws Exception {
        DhcpOptions o = new DhcpOptions();
        o.set(DhcpOptions.MESSAGE_TYPE, new byte[] {(byte) DhcpMessageType.OFFER.code});
        o.setInt(DhcpOptions.SERVER_ID, Ipv4.parse("127.0.0.12").bits());
        DhcpMessage offer = new DhcpMessage(DhcpMessage.BOOTREPLY, 1, 6, 0, 99, 0, 0, 0,
                Ipv4.parse("127.77.0.7").bits(), 0, 0, new byte[16], "", "", o);
        DhcpMessage r = roundTrip(DhcpClient.request(MAC, offer, DhcpClient.Stage.FIRMWARE));
        assertEquals(99, r.xid());
        assertEquals(Optional.of(DhcpMessageType.REQUEST), r.options().messageType());
        assertEquals(Optional.of(Ipv4.parse("127.0.0.12").bits()), r.options().int32(DhcpOptions.SERVER_ID));
        assertEquals(Optional.of(Ipv4.parse("127.77.0.7").bits()), r.options().int32(DhcpOptions.REQUESTED_IP));
    }

    @Test
    void answers_takesOnlyTheAwaitedTypeOfThisTransaction_fromTheChosenServer() {
        int server = Ipv4.parse("127.0.0.12").bits();
        byte[] ack = DhcpCodec.encode(reply(99, DhcpMessageType.ACK, server));
        assertTrue(DhcpClient.answers(ack, ack.length, 99, DhcpMessageType.ACK, server).isPresent());
        assertTrue(DhcpClient.answers(ack, ack.length, 98, DhcpMessageType.ACK, server).isEmpty());
        assertTrue(DhcpClient.answers(ack, ack.length, 99, DhcpMessageType.ACK, server + 1).isEmpty());
        byte[] offer = DhcpCodec.encode(reply(99, DhcpMessageType.OFFER, server));
        assertTrue(DhcpClient.answers(offer, offer.length, 99, DhcpMessageType.ACK, server).isEmpty());
        byte[] nak = DhcpCodec.encode(reply(99, DhcpMessageType.NAK, server));
        assertTrue(DhcpClient.answers(nak, nak.length, 99, DhcpMessageType.ACK, server).isPresent());
        assertTrue(DhcpClient.answers(new byte[] {1, 2, 3}, 3, 99, DhcpMessageType.ACK, server).isEmpty());
    }

    private static DhcpMessage reply(int xid, DhcpMessageType type, int server) {
        DhcpOptions o = new DhcpOptions();
        o.set(DhcpOptions.MESSAGE_TYPE, new byte[] {(byte) type.code});
        o.setInt(DhcpOptions.SERVER_ID, server);
        return new DhcpMessage(DhcpMessage.BOOTREPLY, 1, 6, 0, xid, 0, 0, 0, 0, 0, 0, new byte[16], "", "", o);
    }
}
