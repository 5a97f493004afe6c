package dev.meshboot.node.dhcp;

/**
 * Option 53, the DHCP message type (RFC 2132 section 9.6). Codes outside the known set decode to
 * {@link #UNKNOWN} and keep their raw value in the option bytes, so nothing a client sends is lost.
 */
public enum DhcpMessageType {
    DISCOVER(1), OFFER(2), REQUEST(3), DECLINE(4), ACK(5), NAK(6), RELEASE(7), INFORM(8), UNKNOWN(-1);

    public final int code;

    DhcpMessageType(int code) {
        this.code = code;
    }

    public static DhcpMessageType of(int code) {
        for (DhcpMessageType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return UNKNOWN;
    }
}
