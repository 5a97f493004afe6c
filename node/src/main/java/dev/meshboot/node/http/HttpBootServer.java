package dev.meshboot.node.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The HTTP server booting machines and peers download from: iPXE scripts, kernels and initramfs images, snapshot
 * archives (their stored chunks back to back) and single chunks. GET and HEAD, plus one POST: a booting machine's
 * report ({@link BootContent#report}, at most {@link #MAX_REPORT} bytes). Single byte ranges (RFC 9110
 * section 14) with 206 and 416; ETags from content hashes with 304 on {@code If-None-Match}; file content goes out
 * with zero-copy file regions (sendfile), so a 1 GB archive costs no heap.
 *
 * <p>Requests are bounded before anything is buffered: a 4 KiB request line, 8 KiB of headers, a 16 KiB body. Setup is
 * here; the pipeline is {@link #initializer}; what a path means is the {@link BootContent}'s business.
 */
public final class HttpBootServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HttpBootServer.class.getName());
    public static final int MAX_INITIAL_LINE = 4096;
    public static final int MAX_HEADERS = 8192;
    public static final int MAX_REPORT = 16 * 1024;

    /** Told of every request answered: the access log, and later the status page's counters. */
    @FunctionalInterface
    public interface RequestListener {
        void answered(String method, String path, int status, InetSocketAddress client);

        RequestListener NONE = (method, path, status, client) -> {};
    }

    private final BootContent content;
    private final DownloadRedirector redirector;
    /** Responses whose bodies are being sent now: this server's load, as the mesh compares it. */
    private final java.util.concurrent.atomic.AtomicInteger sending = new java.util.concurrent.atomic.AtomicInteger();
    private volatile RequestListener listener = RequestListener.NONE;
    private final EventLoopGroup group;
    private Channel server;

    public HttpBootServer(BootContent content, DownloadRedirector redirector, EventLoopGroup group) {
        this.content = content;
        this.redirector = redirector;
        this.group = group;
    }

    public void onRequest(RequestListener l) {
        this.listener = l;
    }

    public InetSocketAddress start(InetSocketAddress address) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(initializer()).bind(address).sync().channel();
        return (InetSocketAddress) server.localAddress();
    }

    ChannelInitializer<SocketChannel> initializer() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                        .addLast(new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADERS, 8192))
                        .addLast(new HttpObjectAggregator(MAX_REPORT))
                        .addLast(new Handler());
            }
        };
    }

    /** How many responses are sending their bodies now. */
    public int sending() {
        return sending.get();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (!req.decoderResult().isSuccess()) {
                plain(ctx, req, HttpResponseStatus.BAD_REQUEST, "bad request\n", false);
                return;
            }
            boolean head = req.method().equals(HttpMethod.HEAD);
            String path = new QueryStringDecoder(req.uri()).path();
            if (req.method().equals(HttpMethod.POST)) {
                byte[] body = new byte[req.content().readableBytes()];
                req.content().readBytes(body);
                boolean taken;
                try {
                    taken = content.report(path, body, (InetSocketAddress) ctx.channel().remoteAddress());
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "HTTP POST {0} failed: {1}", path, e.toString());
                    taken = false;
                }
                plain(ctx, req, taken ? HttpResponseStatus.OK : HttpResponseStatus.NOT_FOUND,
                        taken ? "recorded\n" : "not found\n", false);
                return;
            }
            if (!head && !req.method().equals(HttpMethod.GET)) {
                FullHttpResponse r = response(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET, HEAD and POST of reports only\n");
                r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD, POST");
                send(ctx, req, r);
                return;
            }
            // A download moves at most once: a redirected request carries the mark and is served where it lands.
            Optional<String> elsewhere = new QueryStringDecoder(req.uri()).parameters().containsKey("redirected")
                    ? Optional.empty() : redirector.redirect(path, (InetSocketAddress) ctx.channel().remoteAddress());
            if (elsewhere.isPresent()) {
                // 302, not 307: busybox wget (the initramfs' client) follows 301/302/303 only; for a GET they mean
                // the same.
                FullHttpResponse r = response(HttpResponseStatus.FOUND, "");
                r.headers().set(HttpHeaderNames.LOCATION, elsewhere.get());
                send(ctx, req, r);
                return;
            }
            Optional<Representation> rep;
            try {
                rep = content.resolve(path);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "HTTP {0} failed: {1}", path, e.toString());
                plain(ctx, req, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error\n", head);
                return;
            }
            if (rep.isEmpty()) {
                plain(ctx, req, HttpResponseStatus.NOT_FOUND, "not found\n", head);
                return;
            }
            serve(ctx, req, rep.get(), head);
        }

        private void report(ChannelHandlerContext ctx, FullHttpRequest req, int status) {
            listener.answered(req.method().name(), new QueryStringDecoder(req.uri()).path(), status,
                    (InetSocketAddress) ctx.channel().remoteAddress());
        }

        private void serve(ChannelHandlerContext ctx, FullHttpRequest req, Representation rep, boolean head) {
            String etag = "\"" + rep.etag() + "\"";
            String ifNoneMatch = req.headers().get(HttpHeaderNames.IF_NONE_MATCH);
            if (ifNoneMatch != null && (ifNoneMatch.equals(etag) || ifNoneMatch.equals("*"))) {
                FullHttpResponse r = response(HttpResponseStatus.NOT_MODIFIED, "");
                r.headers().set(HttpHeaderNames.ETAG, etag);
                send(ctx, req, r);
                return;
            }
            Optional<ByteRange> range;
            try {
                String ifRange = req.headers().get(HttpHeaderNames.IF_RANGE);
                range = ifRange != null && !ifRange.equals(etag) ? Optional.empty()
                        : ByteRange.parse(req.headers().get(HttpHeaderNames.RANGE), rep.length());
            } catch (ByteRange.Unsatisfiable e) {
                FullHttpResponse r = response(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "");
                r.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + rep.length());
                send(ctx, req, r);
                return;
            }
            HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
                    range.isPresent() ? HttpResponseStatus.PARTIAL_CONTENT : HttpResponseStatus.OK);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, rep.contentType());
            r.headers().set(HttpHeaderNames.ETAG, etag);
            r.headers().set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
            List<Representation.Span> spans = rep.spans();
            long length = rep.length();
            if (range.isPresent()) {
                ByteRange br = range.get();
                r.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes " + br.first() + "-" + br.last() + "/" + rep.length());
                spans = rep.slice(br);
                length = br.length();
            }
            HttpUtil.setContentLength(r, length);
            report(ctx, req, r.status().code());
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(r, keepAlive);
            if (!head) {
                sending.incrementAndGet();
            }
            ctx.write(r);
            if (!head) {
                for (Representation.Span s : spans) {
                    switch (s) {
                        case Representation.FileSpan f ->
                                ctx.write(new DefaultFileRegion(f.file().toFile(), f.offset(), f.length()));
                        case Representation.BytesSpan b ->
                                ctx.write(Unpooled.wrappedBuffer(b.data(), b.offset(), (int) b.length()));
                    }
                }
            }
            ChannelFuture done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            if (!head) {
                done.addListener(f -> sending.decrementAndGet());
            }
            if (!keepAlive) {
                done.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private void plain(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String body,
                boolean head) {
            FullHttpResponse r = response(status, head ? "" : body);
            if (head) {
                HttpUtil.setContentLength(r, body.length());
            }
            send(ctx, req, r);
        }

        private FullHttpResponse response(HttpResponseStatus status, String body) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            HttpUtil.setContentLength(r, r.content().readableBytes());
            return r;
        }

        private void send(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse r) {
            report(ctx, req, r.status().code());
            boolean keepAlive = req.decoderResult().isSuccess() && HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(r, keepAlive);
            ChannelFuture f = ctx.writeAndFlush(r);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.log(Level.DEBUG, "HTTP connection from {0} closed: {1}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }
}
