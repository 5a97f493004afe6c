package dev.meshboot.node.dhcp;

import dev.meshboot.clusterconfig.Mac;

/**
 * A BOOTP/DHCP message (RFC 2131 section 2, figure 1). Addresses are 32-bit ints; {@code chaddr} is the 16-byte
 * field as sent (for Ethernet the MAC is its first 6 bytes); {@code sname} and {@code file} are the raw 64- and
 * 128-byte fields with trailing NULs stripped.
 */
public record DhcpMessage(
        int op, int htype, int hlen, int hops, int xid, int secs, int flags, int ciaddr, int yiaddr, int siaddr,
        int giaddr, byte[] chaddr, String sname, String file, DhcpOptions options) {

    public static final int BOOTREQUEST = 1;
    public static final int BOOTREPLY = 2;
    public static final int HTYPE_ETHERNET = 1;
    /** RFC 2131 section 2: the leftmost bit of flags asks for a broadcast reply. */
    public static final int FLAG_BROADCAST = 0x8000;

    public DhcpMessage {
        chaddr = chaddr.clone();
    }

    @Override
    public byte[] chaddr() {
        return chaddr.clone();
    }

    /** The client's Ethernet address, when the hardware type says it has one. */
    public java.util.Optional<Mac> mac() {
        if (htype != HTYPE_ETHERNET || hlen != 6) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(Mac.of(chaddr, 0));
    }

    public boolean broadcast() {
        return (flags & FLAG_BROADCAST) != 0;
    }
}
