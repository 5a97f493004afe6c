package dev.meshboot.node.tftp;

import java.util.Map;
import java.util.TreeMap;

/** The TFTP packets (RFC 1350 section 5; OACK from RFC 2347). */
public sealed interface TftpPacket {
    int RRQ = 1;
    int WRQ = 2;
    int DATA = 3;
    int ACK = 4;
    int ERROR = 5;
    int OACK = 6;

    /** A read or write request; option names are lower-cased (RFC 2347 says they are case-insensitive). */
    record Request(boolean write, String filename, String mode, Map<String, String> options) implements TftpPacket {
        public Request {
            options = new TreeMap<>(options);
        }
    }

    record Data(int block, byte[] data, int offset, int length) implements TftpPacket {}

    record Ack(int block) implements TftpPacket {}

    record Error(int code, String message) implements TftpPacket {
        public static final int NOT_DEFINED = 0;
        public static final int FILE_NOT_FOUND = 1;
        public static final int ACCESS_VIOLATION = 2;
        public static final int ILLEGAL_OPERATION = 4;
        public static final int UNKNOWN_TID = 5;
        /** RFC 2347: the client refused our options. */
        public static final int OPTION_REFUSED = 8;
    }

    record OptionAck(Map<String, String> options) implements TftpPacket {
        public OptionAck {
            options = new TreeMap<>(options);
        }
    }
}
