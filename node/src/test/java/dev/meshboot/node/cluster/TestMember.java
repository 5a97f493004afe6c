package dev.meshboot.node.cluster;

import dev.meshboot.clusterconfig.CanonicalDocument;
import dev.meshboot.clusterconfig.store.ReplicatedStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;

/** One real member for cluster tests: its store on disk, its channel and its replicator. */
final class TestMember implements AutoCloseable {
    static final ClusterSecret SECRET = ClusterSecret.of("the test cluster's secret, 32+ bytes long".getBytes(
            StandardCharsets.UTF_8));

    final String name;
    final ReplicatedStore store;
    final ClusterChannel channel;
    final StoreReplicator replicator;

    private TestMember(String name, ReplicatedStore store, ClusterChannel channel, StoreReplicator replicator) {
        this.name = name;
        this.store = store;
        this.channel = channel;
        this.replicator = replicator;
    }

    static TestMember start(Path dir, ChannelSettings settings, ClusterSecret secret) throws Exception {
        ReplicatedStore store = ReplicatedStore.open(dir, settings.member(), Clock.systemUTC());
        ClusterChannel channel = ClusterChannel.create(settings, secret);
        StoreReplicator replicator = new StoreReplicator(store, channel, Duration.ofSeconds(30));
        replicator.start();
        channel.connect();
        return new TestMember(settings.member(), store, channel, replicator);
    }

    void write(String kind, String name, String json) throws Exception {
        replicator.write(List.of(new CanonicalDocument(kind, name, json.getBytes(StandardCharsets.UTF_8))));
    }

    int viewSize() {
        return channel.membership().map(m -> m.members().size()).orElse(0);
    }

    List<String> view() {
        return channel.membership().map(Membership::names).orElse(List.of());
    }

    /** Drops every message from these members below encryption: a network partition, the JGroups way. */
    void cutFrom(List<TestMember> others) throws Exception {
        ProtocolStack stack = channel.jchannel().getProtocolStack();
        DISCARD d = stack.findProtocol(DISCARD.class);
        if (d == null) {
            d = new DISCARD();
            stack.insertProtocol(d, ProtocolStack.Position.ABOVE, TP.class);
        }
        for (TestMember o : others) {
            d.addIgnoreMember(o.channel.jchannel().address());
        }
    }

    void heal() {
        DISCARD d = channel.jchannel().getProtocolStack().findProtocol(DISCARD.class);
        if (d != null) {
            d.resetIgnoredMembers();
        }
    }

    @Override
    public void close() {
        replicator.close();
        channel.close();
    }
}
