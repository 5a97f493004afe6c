package dev.meshboot.images.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * An IPv4 UDP socket made with the system calls, for the one thing neither Java NIO nor Netty's NIO transport can
 * do: SO_BINDTODEVICE. A DHCP server on a multi-homed host needs one socket per interface bound to that interface,
 * so that it hears only that interface's broadcasts and its broadcast replies leave by the same interface (a
 * socket bound only to 0.0.0.0 would send 255.255.255.255 out of whatever the routing table prefers). Netty's epoll
 * transport could set it, but its native library is not in the registry this project builds from.
 *
 * <p>Receives block with a timeout (SO_RCVTIMEO), so a serving thread can check whether to stop. Not thread-safe:
 * the thread that receives also closes, so the descriptor is never closed under a blocked call and reused.
 */
@SuppressWarnings("restricted") // native calls are this package's purpose
public final class UdpSocket implements AutoCloseable {
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_REUSEADDR = 2;
    private static final int SO_BROADCAST = 6;
    private static final int SO_RCVTIMEO = 20;
    private static final int SO_BINDTODEVICE = 25;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;

    private static final MethodHandle SOCKET =
            Posix.bind("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT =
            Posix.bind("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle BIND =
            Posix.bind("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVFROM = Posix.bind("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SENDTO = Posix.bind("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = Posix.bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** A received datagram: its length in the caller's buffer, and who sent it. */
    public record Received(int length, InetAddress source, int port) {}

    private final int fd;
    private volatile boolean closed;

    private UdpSocket(int fd) {
        this.fd = fd;
    }

    /**
     * Opens a socket with SO_REUSEADDR and SO_BROADCAST, bound to {@code device} (when not null) and then to
     * {@code address}:{@code port}.
     */
    public static UdpSocket open(InetAddress address, int port, String device, int receiveTimeoutMillis)
            throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Posix.CALL_STATE);
            int fd = (int) SOCKET.invokeExact(state, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new PosixException("socket", "AF_INET/SOCK_DGRAM", Posix.errno(state));
            }
            UdpSocket s = new UdpSocket(fd);
            try {
                s.intOption(SO_REUSEADDR, 1, "SO_REUSEADDR");
                s.intOption(SO_BROADCAST, 1, "SO_BROADCAST");
                MemorySegment tv = arena.allocate(JAVA_LONG, 2);
                tv.setAtIndex(JAVA_LONG, 0, receiveTimeoutMillis / 1000);
                tv.setAtIndex(JAVA_LONG, 1, (receiveTimeoutMillis % 1000) * 1000L);
                s.option(SO_RCVTIMEO, tv, "SO_RCVTIMEO");
                if (device != null) {
                    MemorySegment name = arena.allocateFrom(device, StandardCharsets.US_ASCII);
                    s.option(SO_BINDTODEVICE, name, "SO_BINDTODEVICE " + device);
                }
                MemorySegment sa = sockaddr(arena, address, port);
                int rc = (int) BIND.invokeExact(state, fd, sa, (int) sa.byteSize());
                if (rc != 0) {
                    throw new PosixException("bind", address.getHostAddress() + ":" + port, Posix.errno(state));
                }
                return s;
            } catch (PosixException e) {
                s.close();
                throw e;
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private void intOption(int option, int value, String name) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            option(option, v, name);
        }
    }

    private void option(int option, MemorySegment value, String name) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Posix.CALL_STATE);
            int rc = (int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, option, value, (int) value.byteSize());
            if (rc != 0) {
                throw new PosixException("setsockopt " + name, "fd " + fd, Posix.errno(state));
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static MemorySegment sockaddr(Arena arena, InetAddress address, int port) {
        if (!(address instanceof Inet4Address)) {
            throw new IllegalArgumentException(address + " is not an IPv4 address");
        }
        MemorySegment sa = arena.allocate(16);
        sa.set(JAVA_SHORT, 0, (short) AF_INET);
        sa.set(JAVA_BYTE, 2, (byte) (port >>> 8));
        sa.set(JAVA_BYTE, 3, (byte) port);
        MemorySegment.copy(address.getAddress(), 0, sa, JAVA_BYTE, 4, 4);
        return sa;
    }

    /**
     * Waits for a datagram, up to the receive timeout. Returns null on timeout or once closed; the caller loops.
     */
    public Received receive(byte[] buffer) throws PosixException {
        if (closed) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Posix.CALL_STATE);
            MemorySegment buf = arena.allocate(buffer.length);
            MemorySegment sa = arena.allocate(16);
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 16);
            long n = (long) RECVFROM.invokeExact(state, fd, buf, (long) buffer.length, 0, sa, len);
            if (n < 0) {
                int e = Posix.errno(state);
                if (e == EAGAIN || e == EINTR || closed) {
                    return null;
                }
                throw new PosixException("recvfrom", "fd " + fd, e);
            }
            MemorySegment.copy(buf, JAVA_BYTE, 0, buffer, 0, (int) n);
            byte[] addr = new byte[4];
            MemorySegment.copy(sa, JAVA_BYTE, 4, addr, 0, 4);
            int port = ((sa.get(JAVA_BYTE, 2) & 0xff) << 8) | (sa.get(JAVA_BYTE, 3) & 0xff);
            return new Received((int) n, InetAddress.getByAddress(addr), port);
        } catch (PosixException e) {
            throw e;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public void send(byte[] data, int length, InetAddress to, int port) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Posix.CALL_STATE);
            MemorySegment buf = arena.allocate(Math.max(1, length));
            MemorySegment.copy(data, 0, buf, JAVA_BYTE, 0, length);
            MemorySegment sa = sockaddr(arena, to, port);
            long n = (long) SENDTO.invokeExact(state, fd, buf, (long) length, 0, sa, (int) sa.byteSize());
            if (n < 0) {
                throw new PosixException("sendto", to.getHostAddress() + ":" + port, Posix.errno(state));
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Posix.CALL_STATE);
            int ignored = (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

}
