package dev.meshboot.node.dhcp;

import dev.meshboot.clusterconfig.Ipv4;
import dev.meshboot.clusterconfig.Mac;
import dev.meshboot.node.boot.BootAnswer;
import dev.meshboot.node.boot.BootPolicy;
import dev.meshboot.node.boot.BootRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The DHCP server's protocol logic (RFC 2131 section 4.3), free of sockets: a request in, a reply and where to
 * send it out. What a machine gets comes from the {@link BootPolicy}; this class only speaks the protocol.
 *
 * <p>Full mode answers DISCOVER with OFFER, REQUEST with ACK (or NAK for an address that is not the client's),
 * INFORM with ACK. proxyDHCP mode (PXE specification 2.1, as Pixiecore and dnsmasq do it) answers only PXE clients,
 * only with the boot part: an OFFER with no address on port 67, and an ACK to the REQUEST PXE firmware sends to
 * port 4011. A request that is not ours to answer gets no reply, so another server can answer it.
 *
 * <p>Where replies go (RFC 2131 section 4.1): to the relay when {@code giaddr} is set; to {@code ciaddr} when the
 * client has an address; otherwise broadcast. RFC 2131 allows a unicast to {@code yiaddr} when the broadcast flag
 * is clear, but that needs an ARP entry the kernel does not have yet; meshboot broadcasts instead, which every
 * client accepts (dnsmasq's other choice, writing the neighbour entry first, needs more privilege for no gain).
 */
public final class DhcpResponder {
    public static final int SERVER_PORT = 67;
    public static final int CLIENT_PORT = 68;
    public static final int PXE_PORT = 4011;
    private static final Ipv4 BROADCAST = new Ipv4(-1);

    /** A reply and its destination. */
    public record Reply(DhcpMessage message, Ipv4 destination, int port) {}

    private final BootPolicy policy;
    private final boolean proxy;

    public DhcpResponder(BootPolicy policy, boolean proxy) {
        this.policy = policy;
        this.proxy = proxy;
    }

    /**
     * @param request the decoded request
     * @param network the network of the interface it arrived on
     * @param server this server's address on that interface (server identifier, next-server)
     * @param pxePort true when it arrived on port 4011
     * @param sourcePort the UDP port it came from (replies on 4011 go back to it)
     */
    public Optional<Reply> respond(DhcpMessage request, String network, Ipv4 server, boolean pxePort, int sourcePort) {
        if (request.op() != DhcpMessage.BOOTREQUEST) {
            return Optional.empty();
        }
        Optional<Mac> mac = request.mac();
        Optional<DhcpMessageType> type = request.options().messageType();
        if (mac.isEmpty() || type.isEmpty()) {
            return Optional.empty();
        }
        BootRequest boot = new BootRequest(mac.get(), network, request.options().clientArchitectures(),
                request.options().userClasses(), request.options().vendorClass());
        if (proxy && !boot.isPxeClient()) {
            return Optional.empty();
        }
        if (!proxy && type.get() == DhcpMessageType.RELEASE) {
            policy.released(boot); // RFC 2131 section 4.3.4: no reply
            return Optional.empty();
        }
        if (!proxy && type.get() == DhcpMessageType.DECLINE) {
            request.options().int32(DhcpOptions.REQUESTED_IP).ifPresent(ip -> policy.declined(boot, new Ipv4(ip)));
            return Optional.empty();
        }
        Optional<BootAnswer> answer = policy.answer(boot);
        if (answer.isEmpty()) {
            return Optional.empty();
        }
        BootAnswer a = answer.get();
        if (pxePort) {
            if (!proxy || type.get() != DhcpMessageType.REQUEST) {
                return Optional.empty();
            }
            DhcpMessage ack = reply(request, DhcpMessageType.ACK, a, server, boot, false);
            return Optional.of(new Reply(ack, new Ipv4(request.ciaddr()), sourcePort));
        }
        return switch (type.get()) {
            case DISCOVER -> {
                if (!proxy && a.lease().isEmpty()) {
                    yield Optional.empty();
                }
                yield Optional.of(addressed(request, reply(request, DhcpMessageType.OFFER, a, server, boot, !proxy)));
            }
            case REQUEST -> proxy ? Optional.empty() : request(request, a, server, boot);
            case INFORM -> {
                // RFC 2131 section 3.4: configuration only, never an address.
                DhcpMessage ack = reply(request, DhcpMessageType.ACK, a, server, boot, false);
                yield Optional.of(addressed(request, ack));
            }
            default -> Optional.empty(); // unknown message types get no answer
        };
    }

    private Optional<Reply> request(DhcpMessage request, BootAnswer a, Ipv4 server, BootRequest boot) {
        Optional<Integer> chosen = request.options().int32(DhcpOptions.SERVER_ID);
        if (chosen.isPresent() && chosen.get() != server.bits()) {
            return Optional.empty(); // the client took another server's offer (RFC 2131 section 4.3.2)
        }
        int wanted = request.options().int32(DhcpOptions.REQUESTED_IP).orElse(request.ciaddr());
        if (a.lease().isEmpty()) {
            return Optional.empty();
        }
        if (wanted != a.lease().get().address().bits()) {
            DhcpMessage nak = reply(request, DhcpMessageType.NAK, new BootAnswer(Optional.empty(), Optional.empty(),
                    false), server, boot, false);
            Ipv4 to = request.giaddr() != 0 ? new Ipv4(request.giaddr()) : BROADCAST;
            return Optional.of(new Reply(nak, to, request.giaddr() != 0 ? SERVER_PORT : CLIENT_PORT));
        }
        policy.acknowledged(boot, a.lease().get());
        return Optional.of(addressed(request, reply(request, DhcpMessageType.ACK, a, server, boot, true)));
    }

    private static Reply addressed(DhcpMessage request, DhcpMessage reply) {
        if (request.giaddr() != 0) {
            return new Reply(reply, new Ipv4(request.giaddr()), SERVER_PORT);
        }
        if (request.ciaddr() != 0) {
            return new Reply(reply, new Ipv4(request.ciaddr()), CLIENT_PORT);
        }
        return new Reply(reply, BROADCAST, CLIENT_PORT);
    }

    private DhcpMessage reply(DhcpMessage req, DhcpMessageType type, BootAnswer a, Ipv4 server, BootRequest boot,
            boolean withAddress) {
        DhcpOptions o = new DhcpOptions();
        o.set(DhcpOptions.MESSAGE_TYPE, new byte[] {(byte) type.code});
        o.setInt(DhcpOptions.SERVER_ID, server.bits());
        int yiaddr = 0;
        if (type != DhcpMessageType.NAK && a.lease().isPresent() && (withAddress || type == DhcpMessageType.ACK)) {
            BootAnswer.Lease l = a.lease().get();
            if (withAddress) {
                yiaddr = l.address().bits();
                o.setInt(DhcpOptions.LEASE_TIME, l.leaseSeconds());
                o.setInt(58, l.leaseSeconds() / 2); // T1, RFC 2132 section 9.11
                o.setInt(59, l.leaseSeconds() / 8 * 7); // T2
            }
            o.setInt(DhcpOptions.SUBNET_MASK, l.netmask().bits());
            l.router().ifPresent(r -> o.setInt(DhcpOptions.ROUTER, r.bits()));
            if (!l.dns().isEmpty()) {
                ByteBuffer dns = ByteBuffer.allocate(4 * l.dns().size());
                l.dns().forEach(d -> dns.putInt(d.bits()));
                o.set(DhcpOptions.DNS, dns.array());
            }
            o.set(DhcpOptions.HOSTNAME, l.hostname());
            if (!l.domain().isEmpty()) {
                o.set(DhcpOptions.DOMAIN, l.domain());
            }
        }
        String file = "";
        int siaddr = 0;
        if (type != DhcpMessageType.NAK && a.bootFile().isPresent()) {
            file = a.bootFile().get();
            o.set(DhcpOptions.BOOTFILE_NAME, file);
            // next-server: where a TFTP boot program comes from. Set for URLs too: iPXE ignores a ProxyDHCPACK
            // that has a file name but no next-server (its dhcp_has_pxeopts), and a client fetching a URL ignores it.
            siaddr = server.bits();
            if (boot.isHttpClient()) {
                o.set(DhcpOptions.VENDOR_CLASS, "HTTPClient"); // UEFI HTTP boot needs it echoed (UEFI 2.5 24.7)
            } else if (boot.isPxeClient()) {
                o.set(DhcpOptions.VENDOR_CLASS, "PXEClient");
                // PXE 2.1 vendor option 6 = 8: skip boot-server discovery and take the file from this reply.
                o.set(DhcpOptions.VENDOR_SPECIFIC, new byte[] {6, 1, 8, (byte) 255});
            }
            req.options().get(DhcpOptions.UUID_GUID).ifPresent(g -> o.set(DhcpOptions.UUID_GUID, g));
            if (file.getBytes(StandardCharsets.ISO_8859_1).length > 128) {
                file = ""; // too long for the fixed field: option 67 alone carries it
            }
        }
        return new DhcpMessage(DhcpMessage.BOOTREPLY, req.htype(), req.hlen(), 0, req.xid(), 0, req.flags(),
                type == DhcpMessageType.INFORM || type == DhcpMessageType.ACK ? req.ciaddr() : 0, yiaddr, siaddr,
                req.giaddr(), req.chaddr(), "", file, o);
    }
}
