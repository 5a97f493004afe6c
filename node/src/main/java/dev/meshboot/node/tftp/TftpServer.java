package dev.meshboot.node.tftp;

import dev.meshboot.images.PathEscapeException;
import dev.meshboot.images.paths.ConfinedPath;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A read-only TFTP server (RFC 1350) with the option extensions firmware and iPXE use: blksize (RFC 2348), tsize
 * and timeout (RFC 2349), windowsize (RFC 7440). Each transfer gets its own socket and port, as RFC 1350's
 * transfer identifiers require, and runs a {@link ReadTransfer} state machine; files are read block by block, so
 * memory does not grow with file size or with the number of transfers' files.
 *
 * <p>Every name is confined to the root by {@link ConfinedPath} (no absolute names, no {@code ..}), and a file
 * reached through a symlink must still resolve inside the root. Write requests are refused. A malformed packet is
 * logged and dropped; only a socket error stops the server.
 */
public final class TftpServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TftpServer.class.getName());

    /**
     * @param root the directory served
     * @param maxWindow the largest windowsize granted
     * @param timeoutMillis retransmission timeout when the client names none
     * @param maxRetries retransmissions of one window before a transfer is abandoned
     * @param fallback files served by name when the root has none of that name: the iPXE binaries of the boot
     *     artifacts, which live as blobs in the snapshot store
     */
    public record Settings(Path root, int maxWindow, int timeoutMillis, int maxRetries,
            Function<String, Optional<Path>> fallback) {
        public static Settings defaults(Path root) {
            return new Settings(root, 64, 1000, 5, name -> Optional.empty());
        }

        public Settings withFallback(Function<String, Optional<Path>> f) {
            return new Settings(root, maxWindow, timeoutMillis, maxRetries, f);
        }
    }

    private final Settings settings;
    private final Path realRoot;
    private final EventLoopGroup group;
    private final Clock clock;
    private Channel listener;

    public TftpServer(Settings settings, EventLoopGroup group, Clock clock) throws IOException {
        this.settings = settings;
        this.realRoot = settings.root().toRealPath();
        this.group = group;
        this.clock = clock;
    }

    /** Binds the request socket (port 0 picks one) and returns the address it listens on. */
    public InetSocketAddress start(InetSocketAddress address) throws InterruptedException {
        listener = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new RequestHandler()).bind(address).sync().channel();
        return (InetSocketAddress) listener.localAddress();
    }

    /** Whether the request socket is open (the health check's question). */
    public boolean serving() {
        return listener != null && listener.isOpen();
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
    }

    private final class RequestHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress client = packet.sender();
            byte[] bytes = ByteBufUtil.getBytes(packet.content());
            TftpPacket p;
            try {
                p = TftpCodec.decode(bytes, 0, bytes.length);
            } catch (TftpFormatException e) {
                LOG.log(Level.WARNING, "dropped malformed TFTP packet from {0}: {1}", client, e.getMessage());
                return;
            }
            if (!(p instanceof TftpPacket.Request request)) {
                return; // stray ACK/DATA for a finished transfer: nothing to answer
            }
            if (request.write()) {
                reply(ctx.channel(), client, TftpPacket.Error.ACCESS_VIOLATION, "this TFTP server is read-only");
                return;
            }
            if (!request.mode().equals("octet")) {
                reply(ctx.channel(), client, TftpPacket.Error.ILLEGAL_OPERATION,
                        "only octet mode is served (mode was " + request.mode() + ")");
                return;
            }
            FileChannel file;
            try {
                file = open(request.filename());
            } catch (PathEscapeException e) {
                LOG.log(Level.WARNING, "refused TFTP request from {0}: {1}", client, e.getMessage());
                reply(ctx.channel(), client, TftpPacket.Error.ACCESS_VIOLATION, "access violation");
                return;
            } catch (NoSuchFileException e) {
                reply(ctx.channel(), client, TftpPacket.Error.FILE_NOT_FOUND, "file not found");
                return;
            } catch (IOException e) {
                LOG.log(Level.WARNING, "TFTP request from {0} for {1} failed: {2}", client, request.filename(), e);
                reply(ctx.channel(), client, TftpPacket.Error.NOT_DEFINED, "cannot read file");
                return;
            }
            InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
            startTransfer(local, client, request, file);
        }
    }

    private FileChannel open(String name) throws IOException {
        Path file = ConfinedPath.resolve(settings.root(), name);
        ConfinedPath.requireNoSymlinkAncestors(settings.root(), file, name);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            Optional<Path> other = settings.fallback().apply(name);
            if (other.isPresent() && Files.isRegularFile(other.get(), LinkOption.NOFOLLOW_LINKS)) {
                return FileChannel.open(other.get(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            }
        }
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(name);
        }
        Path real = file.toRealPath();
        if (!real.startsWith(realRoot)) {
            throw new PathEscapeException("refused '" + ConfinedPath.printable(name) + "': it resolves outside the root");
        }
        return FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }

    private void startTransfer(InetSocketAddress local, InetSocketAddress client, TftpPacket.Request request,
            FileChannel file) {
        long size;
        try {
            size = file.size();
        } catch (IOException e) {
            closeQuietly(file);
            return;
        }
        TransferOptions options = TransferOptions.negotiate(request.options(), size, settings.maxWindow(),
                settings.timeoutMillis());
        ReadTransfer transfer = new ReadTransfer(new ReadTransfer.BlockSource() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public int read(long position, byte[] into, int offset, int length) throws IOException {
                return file.read(ByteBuffer.wrap(into, offset, length), position);
            }
        }, options, settings.maxRetries());
        new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new TransferHandler(client, transfer, file, request.filename()))
                .bind(new InetSocketAddress(local.getAddress(), 0))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        LOG.log(Level.WARNING, "no socket for a TFTP transfer to {0}: {1}", client, f.cause());
                        closeQuietly(file);
                    }
                });
    }

    /** One transfer's own socket (its TID): sends the file, takes ACKs from its client only, retransmits on timeout. */
    private final class TransferHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final InetSocketAddress client;
        private final ReadTransfer transfer;
        private final FileChannel file;
        private final String name;

        TransferHandler(InetSocketAddress client, ReadTransfer transfer, FileChannel file, String name) {
            this.client = client;
            this.transfer = transfer;
            this.file = file;
            this.name = name;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            try {
                send(ctx.channel(), transfer.start(clock.millis()));
                scheduleTimer(ctx.channel());
            } catch (IOException e) {
                fail(ctx.channel(), e);
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            if (!packet.sender().equals(client)) {
                // RFC 1350 section 4: a packet from another TID gets an error, and the transfer goes on.
                reply(ctx.channel(), packet.sender(), TftpPacket.Error.UNKNOWN_TID, "unknown transfer ID");
                return;
            }
            byte[] bytes = ByteBufUtil.getBytes(packet.content());
            try {
                TftpPacket p = TftpCodec.decode(bytes, 0, bytes.length);
                if (p instanceof TftpPacket.Ack ack) {
                    send(ctx.channel(), transfer.onAck(ack.block(), clock.millis()));
                    if (transfer.done()) {
                        finish(ctx.channel());
                    }
                } else if (p instanceof TftpPacket.Error err) {
                    LOG.log(Level.DEBUG, "client {0} ended transfer of {1}: {2}", client, name, err.message());
                    finish(ctx.channel());
                }
            } catch (TftpFormatException e) {
                LOG.log(Level.WARNING, "dropped malformed TFTP packet from {0}: {1}", client, e.getMessage());
            } catch (IOException e) {
                fail(ctx.channel(), e);
            }
        }

        private void scheduleTimer(Channel ch) {
            long delay = Math.max(1, transfer.deadline() - clock.millis());
            ch.eventLoop().schedule(() -> {
                if (!ch.isOpen()) {
                    return;
                }
                try {
                    send(ch, transfer.onTimer(clock.millis()));
                    scheduleTimer(ch);
                } catch (IOException e) {
                    fail(ch, e);
                }
            }, delay, TimeUnit.MILLISECONDS);
        }

        private void send(Channel ch, List<byte[]> packets) {
            for (byte[] p : packets) {
                ch.write(new DatagramPacket(Unpooled.wrappedBuffer(p), client));
            }
            ch.flush();
        }

        private void fail(Channel ch, IOException e) {
            LOG.log(Level.WARNING, "TFTP transfer of {0} to {1} abandoned: {2}", name, client, e.getMessage());
            reply(ch, client, TftpPacket.Error.NOT_DEFINED, "transfer abandoned");
            finish(ch);
        }

        private void finish(Channel ch) {
            closeQuietly(file);
            ch.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closeQuietly(file);
        }
    }

    private static void reply(Channel ch, InetSocketAddress to, int code, String message) {
        ByteBuf buf = Unpooled.wrappedBuffer(TftpCodec.encode(new TftpPacket.Error(code, message)));
        ch.writeAndFlush(new DatagramPacket(buf, to));
    }

    private static void closeQuietly(FileChannel f) {
        try {
            f.close();
        } catch (IOException e) {
            // nothing left to do with it
        }
    }
}
