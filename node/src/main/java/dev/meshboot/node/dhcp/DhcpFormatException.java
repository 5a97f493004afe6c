package dev.meshboot.node.dhcp;

/**
 * A datagram that is not a well-formed BOOTP/DHCP message (RFC 2131 section 2, RFC 2132): too short, a bad magic
 * cookie, an option running past the end. The server logs it and drops the packet; it never ends the serve loop.
 */
public final class DhcpFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public DhcpFormatException(String message) {
        super(message);
    }
}
