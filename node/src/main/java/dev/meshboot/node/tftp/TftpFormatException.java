package dev.meshboot.node.tftp;

/** A datagram that is not a well-formed TFTP packet (RFC 1350 section 5, RFC 2347 options). Logged and dropped. */
public final class TftpFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public TftpFormatException(String message) {
        super(message);
    }
}
