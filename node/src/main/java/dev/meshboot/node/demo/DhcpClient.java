package dev.meshboot.node.demo;

import dev.meshboot.clusterconfig.Ipv4;
import dev.meshboot.clusterconfig.Mac;
import dev.meshboot.node.dhcp.DhcpCodec;
import dev.meshboot.node.dhcp.DhcpFormatException;
import dev.meshboot.node.dhcp.DhcpMessage;
import dev.meshboot.node.dhcp.DhcpMessageType;
import dev.meshboot.node.dhcp.DhcpOptions;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A DHCP client as a machine's three boot stages run it (RFC 2131 section 4.4): PXE firmware, iPXE, and
 * {@code /init}'s udhcpc, each identifying itself the way the real one does (option 60, 77, 93), since that is how
 * the boot policy tells them apart. DISCOVER, the first OFFER, REQUEST naming its server, ACK. A missing answer is
 * retransmitted with a doubling timeout (RFC 2131 4.1; the demo starts at 0.5 s instead of 4 s), and a NAK or a
 * REQUEST that goes unanswered sends the client back to DISCOVER (4.4.1).
 */
final class DhcpClient {
    private static final int ROUNDS = 3;
    private static final int RETRANSMITS = 3;
    private static final Duration FIRST_TIMEOUT = Duration.ofMillis(500);

    /** Who is asking: firmware, iPXE or udhcpc. */
    enum Stage {
        /** BIOS PXE firmware: vendor class PXEClient, architecture 0 (RFC 4578 section 2.1). */
        FIRMWARE("PXE", "PXEClient:Arch:00000:UNDI:002001", Optional.empty(), true),
        /** iPXE: as the firmware, plus user class "iPXE", which gets it its script's URL. */
        IPXE("iPXE", "PXEClient:Arch:00000:UNDI:002001", Optional.of("iPXE"), true),
        /** busybox udhcpc in {@code /init}: no PXE options, an address only. */
        INIT("/init", "udhcp 1.35.0", Optional.empty(), false);

        final String label;
        final String vendorClass;
        final Optional<String> userClass;
        final boolean pxe;

        Stage(String label, String vendorClass, Optional<String> userClass, boolean pxe) {
            this.label = label;
            this.vendorClass = vendorClass;
            this.userClass = userClass;
            this.pxe = pxe;
        }
    }

    /** What an ACK gave: the address, the server that gave it, next-server and boot file, and the exchanges. */
    record Lease(Ipv4 address, Ipv4 server, Ipv4 nextServer, String bootFile, int attempts) {}

    /** Why no lease was obtained. */
    static final class NoLeaseException extends IOException {
        private static final long serialVersionUID = 1L;

        NoLeaseException(String message) {
            super(message);
        }
    }

    private final Mac mac;
    private final InetSocketAddress relay;
    private final SplittableRandom random;
    private final java.util.function.Consumer<String> note;
    private final java.util.function.Function<Ipv4, String> nameOf;

    /**
     * @param note told when a round fails and the client goes back to DISCOVER
     * @param nameOf the name to print for a server's address
     */
    DhcpClient(Mac mac, InetSocketAddress relay, long seed, java.util.function.Consumer<String> note,
            java.util.function.Function<Ipv4, String> nameOf) {
        this.mac = mac;
        this.relay = relay;
        this.random = new SplittableRandom(seed);
        this.note = note;
        this.nameOf = nameOf;
    }

    /** DISCOVER for a stage: the message a client sends first. */
    static DhcpMessage discover(Mac mac, int xid, Stage stage) {
        return message(mac, xid, stage, DhcpMessageType.DISCOVER, options -> { });
    }

    /** REQUEST for an offer: the same transaction, naming the chosen server and address (RFC 2131 4.3.2). */
    static DhcpMessage request(Mac mac, DhcpMessage offer, Stage stage) {
        int server = offer.options().int32(DhcpOptions.SERVER_ID).orElse(0);
        return message(mac, offer.xid(), stage, DhcpMessageType.REQUEST, o -> {
            o.setInt(DhcpOptions.SERVER_ID, server);
            o.setInt(DhcpOptions.REQUESTED_IP, offer.yiaddr());
        });
    }

    private static DhcpMessage message(Mac mac, int xid, Stage stage, DhcpMessageType type,
            java.util.function.Consumer<DhcpOptions> more) {
        DhcpOptions o = new DhcpOptions();
        o.set(DhcpOptions.MESSAGE_TYPE, new byte[] {(byte) type.code});
        o.set(DhcpOptions.PARAMETER_REQUEST_LIST, new byte[] {1, 3, 6, 12, 15, 43, 60, 66, 67});
        o.set(DhcpOptions.MAX_MESSAGE_SIZE, new byte[] {0x05, (byte) 0xc0}); // 1472
        o.set(DhcpOptions.VENDOR_CLASS, stage.vendorClass);
        if (stage.pxe) {
            o.set(DhcpOptions.CLIENT_ARCH, new byte[] {0, 0});
            o.set(DhcpOptions.CLIENT_NDI, new byte[] {1, 2, 1});
        }
        stage.userClass.ifPresent(u -> o.set(DhcpOptions.USER_CLASS, u));
        more.accept(o);
        byte[] chaddr = new byte[16];
        System.arraycopy(HexFormat.ofDelimiter(":").parseHex(mac.text()), 0, chaddr, 0, 6);
        return new DhcpMessage(DhcpMessage.BOOTREQUEST, DhcpMessage.HTYPE_ETHERNET, 6, 0, xid, 0,
                DhcpMessage.FLAG_BROADCAST, 0, 0, 0, 0, chaddr, "", "", o);
    }

    /** Runs the exchange through the relay until an ACK, or throws after {@value #ROUNDS} rounds. */
    Lease obtain(Stage stage) throws IOException {
        int exchanges = 0;
        String last = "no answer";
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            for (int round = 0; round < ROUNDS; round++) {
                int xid = random.nextInt();
                exchanges++;
                Optional<DhcpMessage> offer = ask(socket, discover(mac, xid, stage), DhcpMessageType.OFFER, 0);
                if (offer.isEmpty()) {
                    last = "no DHCPOFFER";
                    note.accept(stage.label + ": no DHCPOFFER to " + (RETRANSMITS + 1) + " DISCOVERs; tries again");
                    continue;
                }
                DhcpMessage req = request(mac, offer.get(), stage);
                int server = offer.get().options().int32(DhcpOptions.SERVER_ID).orElse(0);
                Optional<DhcpMessage> answer = ask(socket, req, DhcpMessageType.ACK, server);
                if (answer.isEmpty()) {
                    last = "no DHCPACK from " + nameOf.apply(new Ipv4(server));
                    note.accept(stage.label + ": " + last + " to " + (RETRANSMITS + 1) + " REQUESTs; back to DISCOVER"
                            + " (RFC 2131 4.4.1)");
                    continue;
                }
                if (answer.get().options().messageType().orElseThrow() == DhcpMessageType.NAK) {
                    last = "DHCPNAK from " + nameOf.apply(new Ipv4(server));
                    note.accept(stage.label + ": " + last + "; back to DISCOVER");
                    continue;
                }
                DhcpMessage ack = answer.get();
                String file = ack.options().get(DhcpOptions.BOOTFILE_NAME)
                        .map(b -> new String(b, StandardCharsets.US_ASCII)).orElse(ack.file());
                return new Lease(new Ipv4(ack.yiaddr()), new Ipv4(server), new Ipv4(ack.siaddr()), file, exchanges);
            }
        }
        throw new NoLeaseException(last + " after " + exchanges + " DISCOVER rounds");
    }

    /**
     * Sends a message and waits for the answer of that type (or a NAK) to its transaction, from {@code server} when
     * one is named, retransmitting with a doubling timeout. Anything else (a second server's OFFER, a reply to an
     * older transaction) is ignored, as RFC 2131 4.4.1 has the client do.
     */
    private Optional<DhcpMessage> ask(DatagramSocket socket, DhcpMessage m, DhcpMessageType wanted, int server)
            throws IOException {
        byte[] out = DhcpCodec.encode(m);
        byte[] in = new byte[DhcpCodec.MAX_MESSAGE];
        Duration timeout = FIRST_TIMEOUT;
        for (int attempt = 0; attempt <= RETRANSMITS; attempt++) {
            socket.send(new DatagramPacket(out, out.length, relay));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    break;
                }
                socket.setSoTimeout((int) left);
                DatagramPacket p = new DatagramPacket(in, in.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    break;
                }
                Optional<DhcpMessage> reply = answers(in, p.getLength(), m.xid(), wanted, server);
                if (reply.isPresent()) {
                    return reply;
                }
            }
            timeout = timeout.multipliedBy(2);
        }
        return Optional.empty();
    }

    /** Whether a datagram is the awaited answer: a BOOTREPLY to this transaction, of the wanted type or a NAK. */
    static Optional<DhcpMessage> answers(byte[] b, int length, int xid, DhcpMessageType wanted, int server) {
        DhcpMessage r;
        try {
            r = DhcpCodec.decode(b, 0, length);
        } catch (DhcpFormatException e) {
            return Optional.empty();
        }
        if (r.op() != DhcpMessage.BOOTREPLY || r.xid() != xid || r.options().messageType().isEmpty()) {
            return Optional.empty();
        }
        DhcpMessageType type = r.options().messageType().get();
        boolean fromServer = server == 0 || r.options().int32(DhcpOptions.SERVER_ID).orElse(0) == server;
        return fromServer && (type == wanted || type == DhcpMessageType.NAK && server != 0) ? Optional.of(r)
                : Optional.empty();
    }
}
