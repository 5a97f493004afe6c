package dev.meshboot.node.cluster;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.MergeView;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;

/**
 * The agent's one JGroups channel. Subsystems share it by {@link MessageKind}: each registers a
 * {@link MessageHandler} for its kinds and sends with {@link #send} or {@link #broadcast}; every message is one
 * kind byte followed by the subsystem's own bytes. Membership is read with {@link #membership()} or followed with
 * {@link #onMembership}.
 *
 * <p>Lifecycle: {@link #create}, register handlers and listeners, {@link #connect}, {@link #close}. Handlers
 * registered before {@code connect} see every message; the first view is delivered during {@code connect}.
 */
public final class ClusterChannel implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClusterChannel.class.getName());

    private final ChannelSettings settings;
    private final JChannel channel;
    private final Map<MessageKind, MessageHandler> handlers = new ConcurrentHashMap<>();
    private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<MessageKind, LongAdder> bytesSent = new EnumMap<>(MessageKind.class);
    private volatile Membership membership;

    private ClusterChannel(ChannelSettings settings, JChannel channel) {
        this.settings = settings;
        this.channel = channel;
        for (MessageKind k : MessageKind.values()) {
            bytesSent.put(k, new LongAdder());
        }
        channel.setReceiver(new Receiver() {
            @Override
            public void receive(Message msg) {
                deliver(msg);
            }

            @Override
            public void viewAccepted(View view) {
                installed(view);
            }
        });
    }

    /** Builds the channel (protocol stack and keys) without joining yet. */
    public static ClusterChannel create(ChannelSettings settings, ClusterSecret secret) throws Exception {
        JChannel ch = new JChannel(ChannelStack.protocols(settings, secret));
        ch.name(settings.member());
        return new ClusterChannel(settings, ch);
    }

    /**
     * Joins the cluster: finds the members (multicast or static peers) and asks the coordinator to let this member
     * in. With nobody found, or nobody who accepts the secret, this member forms a view of its own, which MERGE3
     * merges once the others are reachable.
     */
    public void connect() throws Exception {
        channel.connect(settings.cluster());
    }

    /**
     * Registers the handler of a kind. One handler per kind: registering a second one is a programming mistake.
     */
    public void register(MessageKind kind, MessageHandler handler) {
        if (handlers.putIfAbsent(kind, handler) != null) {
            throw new IllegalStateException("a handler for " + kind + " is already registered");
        }
    }

    public void onMembership(MembershipListener listener) {
        listeners.add(listener);
    }

    /** The view installed last; empty before {@link #connect}. */
    public Optional<Membership> membership() {
        return Optional.ofNullable(membership);
    }

    public String clusterName() {
        return settings.cluster();
    }

    /** Sends to every member, this one included, reliably and in this sender's order. */
    public void broadcast(MessageKind kind, byte[] body) throws Exception {
        channel.send(message(null, kind, body));
    }

    /** Sends to one member, reliably and in this sender's order. */
    public void send(Member to, MessageKind kind, byte[] body) throws Exception {
        channel.send(message(to.address(), kind, body));
    }

    /** Bytes this member sent of a kind since it started (kind byte included, JGroups' headers not): figures. */
    public long bytesSent(MessageKind kind) {
        return bytesSent.get(kind).sum();
    }

    private Message message(Address to, MessageKind kind, byte[] body) {
        byte[] bytes = new byte[body.length + 1];
        bytes[0] = kind.code();
        System.arraycopy(body, 0, bytes, 1, body.length);
        bytesSent.get(kind).add(bytes.length);
        return new BytesMessage(to, bytes);
    }

    private void deliver(Message msg) {
        if (msg.getLength() < 1 || msg.getArray() == null) {
            LOG.log(Level.WARNING, "dropped an empty message from {0}", msg.src());
            return;
        }
        byte code = msg.getArray()[msg.getOffset()];
        Optional<MessageKind> kind = MessageKind.of(code);
        MessageHandler h = kind.map(handlers::get).orElse(null);
        if (h == null) {
            LOG.log(Level.DEBUG, "dropped a message of kind {0} from {1}: no handler here", code & 0xff, msg.src());
            return;
        }
        byte[] body = new byte[msg.getLength() - 1];
        System.arraycopy(msg.getArray(), msg.getOffset() + 1, body, 0, body.length);
        try {
            h.receive(new Member(msg.src()), body);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "dropped a " + kind.get() + " message from " + msg.src() + ": " + e.getMessage(), e);
        }
    }

    private void installed(View view) {
        Membership before = membership;
        List<Member> members = new ArrayList<>();
        view.getMembers().forEach(a -> members.add(new Member(a)));
        Membership m = new Membership(view.getViewId().getId(), members, new Member(channel.address()),
                view instanceof MergeView, before == null ? List.of() : before.members());
        membership = m;
        LOG.log(Level.INFO, "view {0}{1}: {2}", m.id(), m.merge() ? " (merge)" : "", m.names());
        for (MembershipListener l : listeners) {
            try {
                l.viewChanged(m);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a membership listener failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Goes silent as a crashed process does: from now on every message in or out is dropped just above the
     * transport (JGroups' DISCARD), so a {@link #close} that follows leaves without the LEAVE a graceful shutdown
     * sends, and the other members learn of it by failure detection, as after a kill: FD_SOCK2 sees its connection
     * close (or FD_ALL3 misses its heartbeats), then VERIFY_SUSPECT2 gets no answer. For the demo and failure tests.
     */
    public void silence() throws Exception {
        channel.getProtocolStack().insertProtocol(new org.jgroups.protocols.DISCARD().discardAll(true),
                org.jgroups.stack.ProtocolStack.Position.ABOVE, org.jgroups.protocols.TP.class);
    }

    /** The JGroups channel, for tests that cut links (DISCARD) the JGroups way. */
    JChannel jchannel() {
        return channel;
    }

    @Override
    public void close() {
        channel.close();
    }
}
