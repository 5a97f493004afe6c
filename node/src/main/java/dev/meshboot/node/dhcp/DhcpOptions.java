package dev.meshboot.node.dhcp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * DHCP options as raw bytes by code, in the order they were received or set (RFC 2132). Options stay bytes, as in
 * Pixiecore's {@code dhcp4/options.go}: an option this code does not know survives a decode and re-encode
 * untouched, and the typed getters check lengths, returning empty rather than trusting a malformed value.
 */
public final class DhcpOptions {
    public static final int SUBNET_MASK = 1;
    public static final int ROUTER = 3;
    public static final int DNS = 6;
    public static final int HOSTNAME = 12;
    public static final int DOMAIN = 15;
    public static final int REQUESTED_IP = 50;
    public static final int LEASE_TIME = 51;
    public static final int OVERLOAD = 52;
    public static final int MESSAGE_TYPE = 53;
    public static final int SERVER_ID = 54;
    public static final int PARAMETER_REQUEST_LIST = 55;
    public static final int MAX_MESSAGE_SIZE = 57;
    public static final int VENDOR_CLASS = 60;
    public static final int CLIENT_ID = 61;
    public static final int TFTP_SERVER_NAME = 66;
    public static final int BOOTFILE_NAME = 67;
    public static final int USER_CLASS = 77;
    public static final int CLIENT_ARCH = 93;
    public static final int CLIENT_NDI = 94;
    public static final int UUID_GUID = 97;
    public static final int VENDOR_SPECIFIC = 43;

    private final Map<Integer, byte[]> options;

    public DhcpOptions() {
        this.options = new LinkedHashMap<>();
    }

    private DhcpOptions(Map<Integer, byte[]> options) {
        this.options = new LinkedHashMap<>(options);
    }

    public DhcpOptions copy() {
        return new DhcpOptions(options);
    }

    public Optional<byte[]> get(int code) {
        byte[] v = options.get(code);
        return v == null ? Optional.empty() : Optional.of(v.clone());
    }

    public boolean has(int code) {
        return options.containsKey(code);
    }

    /** Sets (or replaces) an option. RFC 3396 long options are split on encode, so any length is allowed. */
    public DhcpOptions set(int code, byte[] value) {
        if (code <= 0 || code >= 255) {
            throw new IllegalArgumentException("option code " + code + " is reserved (0 is pad, 255 is end)");
        }
        options.put(code, value.clone());
        return this;
    }

    public DhcpOptions set(int code, String value) {
        return set(code, value.getBytes(StandardCharsets.US_ASCII));
    }

    public DhcpOptions setInt(int code, int value) {
        return set(code, new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
    }

    /** Appends bytes to an option: RFC 3396 says a repeated option's values concatenate. */
    void append(int code, byte[] value, int offset, int length) {
        byte[] old = options.get(code);
        byte[] joined = new byte[(old == null ? 0 : old.length) + length];
        if (old != null) {
            System.arraycopy(old, 0, joined, 0, old.length);
        }
        System.arraycopy(value, offset, joined, joined.length - length, length);
        options.put(code, joined);
    }

    public Map<Integer, byte[]> asMap() {
        return Collections.unmodifiableMap(options);
    }

    /** Option 53. Empty when absent or not one byte; {@link DhcpMessageType#UNKNOWN} for an unknown code. */
    public Optional<DhcpMessageType> messageType() {
        byte[] v = options.get(MESSAGE_TYPE);
        return v == null || v.length != 1 ? Optional.empty() : Optional.of(DhcpMessageType.of(v[0] & 0xff));
    }

    /** A 4-byte option as an int (an IPv4 address or a count of seconds). */
    public Optional<Integer> int32(int code) {
        byte[] v = options.get(code);
        if (v == null || v.length != 4) {
            return Optional.empty();
        }
        return Optional.of(((v[0] & 0xff) << 24) | ((v[1] & 0xff) << 16) | ((v[2] & 0xff) << 8) | (v[3] & 0xff));
    }

    /** Option 93 (RFC 4578 section 2.1): the client's architectures, each a 16-bit type. */
    public List<Integer> clientArchitectures() {
        byte[] v = options.get(CLIENT_ARCH);
        List<Integer> out = new ArrayList<>();
        if (v == null || v.length == 0 || v.length % 2 != 0) {
            return out;
        }
        for (int i = 0; i < v.length; i += 2) {
            out.add(((v[i] & 0xff) << 8) | (v[i + 1] & 0xff));
        }
        return out;
    }

    /**
     * Option 77, the user class. RFC 3004 encodes it as length-prefixed items; iPXE sends the bare string "iPXE".
     * Both forms are read: the result is the list of classes.
     */
    public List<String> userClasses() {
        byte[] v = options.get(USER_CLASS);
        List<String> out = new ArrayList<>();
        if (v == null || v.length == 0) {
            return out;
        }
        int i = 0;
        List<String> items = new ArrayList<>();
        while (i < v.length) {
            int len = v[i] & 0xff;
            if (len == 0 || i + 1 + len > v.length) {
                items = null;
                break;
            }
            items.add(new String(v, i + 1, len, StandardCharsets.US_ASCII));
            i += 1 + len;
        }
        if (items != null && !items.isEmpty()) {
            out.addAll(items);
        } else {
            out.add(new String(v, StandardCharsets.US_ASCII));
        }
        return out;
    }

    /** Option 60 as text (e.g. {@code PXEClient:Arch:00007:UNDI:003016} or {@code HTTPClient:...}). */
    public Optional<String> vendorClass() {
        byte[] v = options.get(VENDOR_CLASS);
        return v == null ? Optional.empty() : Optional.of(new String(v, StandardCharsets.US_ASCII));
    }

    /** Option 55: the option codes the client asks for, in its order of preference. */
    public List<Integer> parameterRequestList() {
        byte[] v = options.get(PARAMETER_REQUEST_LIST);
        List<Integer> out = new ArrayList<>();
        if (v != null) {
            for (byte b : v) {
                out.add(b & 0xff);
            }
        }
        return out;
    }
}
