package dev.meshboot.node.mesh;

import dev.meshboot.node.cluster.ClusterChannel;
import dev.meshboot.node.cluster.Membership;
import dev.meshboot.node.cluster.MessageKind;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The election, live: this member advertises its state on the channel ({@link MemberAdvert}), keeps the others'
 * adverts, and runs {@link Election} again on every view change, every advert that changes something, and every
 * few seconds. When this member's role changes, the listener is told, and the agent starts or stops its DHCP and
 * TFTP servers. Every member computes the same result from the same view and adverts; no vote is taken.
 *
 * <p>Every round runs on one thread, so the listener sees results in order and never two at once.
 *
 * <p>Slot holders that leave the view are remembered with the time they left, so a quorum gives their slot to
 * another only after the grace ({@link Election}). The quorum counts against the largest view this member has
 * ever seen ({@link QuorumBase}, kept on disk).
 */
public final class BootRoles implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BootRoles.class.getName());

    /**
     * What this member can offer, asked afresh for each advert.
     *
     * @param load the downloads it is sending now
     */
    public record Local(boolean bootServices, boolean healthy, Set<String> snapshots, int load) {
        public Local(boolean bootServices, boolean healthy, Set<String> snapshots) {
            this(bootServices, healthy, snapshots, 0);
        }
    }

    /** Told when the result changes: the whole result, and whether this member is active. */
    @FunctionalInterface
    public interface Listener {
        void changed(Election.Result result, boolean selfActive);
    }

    private final ClusterChannel channel;
    private final String self;
    private final String http;
    private final Supplier<Local> local;
    private final IntSupplier k;
    private final Supplier<Set<String>> bootSnapshots;
    private final Duration grace;
    private final Clock clock;
    private final Listener listener;
    private final Map<String, MemberAdvert> adverts = new ConcurrentHashMap<>();
    private final Map<Integer, Map.Entry<String, Instant>> absentSince = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "boot-roles");
        t.setDaemon(true);
        return t;
    });
    private volatile Election.Result result = new Election.Result(List.of(), Map.of(), false);
    private Map<Integer, String> lastSlots = Map.of();
    private final QuorumBase quorumBase;
    /** How long a round may wait for the adverts of members in view before electing without them. */
    private Duration settle = Duration.ofSeconds(6);
    private Instant unsettledSince;

    public BootRoles(ClusterChannel channel, String self, String http, Supplier<Local> local, IntSupplier k,
            Supplier<Set<String>> bootSnapshots, Duration grace, Clock clock, Listener listener) {
        this(channel, self, http, local, k, bootSnapshots, grace, clock, QuorumBase.inMemory(), listener);
    }

    public BootRoles(ClusterChannel channel, String self, String http, Supplier<Local> local, IntSupplier k,
            Supplier<Set<String>> bootSnapshots, Duration grace, Clock clock, QuorumBase quorumBase,
            Listener listener) {
        this.quorumBase = quorumBase;
        this.channel = channel;
        this.self = self;
        this.http = http;
        this.local = local;
        this.k = k;
        this.bootSnapshots = bootSnapshots;
        this.grace = grace;
        this.clock = clock;
        this.listener = listener;
    }

    /** Registers on the channel and starts advertising every {@code every}. */
    public void start(Duration every) {
        settle = every.multipliedBy(3);
        channel.register(MessageKind.MEMBER_STATE, (from, body) -> {
            try {
                MemberAdvert a = MemberAdvert.decode(body);
                MemberAdvert before = adverts.put(a.state().member(), a);
                if (!a.equals(before)) {
                    timer.execute(this::round);
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "dropped a malformed member advert from {0}", from);
            }
        });
        channel.onMembership(m -> {
            try {
                timer.execute(() -> {
                    adverts.keySet().retainAll(m.names()); // a member that left and returns is unknown until it speaks
                    round();
                    advertise();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closed: the agent is stopping and the channel delivers its last view
            }
        });
        timer.scheduleWithFixedDelay(() -> {
            round();
            advertise();
        }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Election.Result current() {
        return result;
    }

    /** The cluster size the quorum counts against. */
    public int quorumBase() {
        return quorumBase.size();
    }

    /** Lowers the quorum base after members were removed for good; the election runs again at once. */
    public void lowerQuorumBase(int members) throws IOException {
        quorumBase.lower(members, view().size());
        timer.execute(this::round);
    }

    private void round() {
        try {
            recompute();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "election round failed: " + e.getMessage(), e);
        }
    }

    /** The HTTP base URLs of the members in view (this one included), as they advertise them. */
    public Map<String, String> httpOfMembersInView() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String m : view()) {
            MemberAdvert a = adverts.get(m);
            if (a != null) {
                out.put(m, a.http());
            }
        }
        return out;
    }

    /** The snapshots each member in view holds complete, as advertised. */
    public Map<String, Set<String>> snapshotsOfMembersInView() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (String m : view()) {
            MemberAdvert a = adverts.get(m);
            if (a != null) {
                out.put(m, a.state().snapshots());
            }
        }
        return out;
    }

    /** The latest advert of each member in view (this one included), in view order. */
    public List<MemberAdvert> advertsInView() {
        List<MemberAdvert> out = new ArrayList<>();
        for (String m : view()) {
            MemberAdvert a = adverts.get(m);
            if (a != null) {
                out.add(a);
            }
        }
        return out;
    }

    private List<String> view() {
        return channel.membership().map(Membership::names).orElse(List.of(self));
    }

    private MemberState selfState() {
        Local l = local.get();
        Election.Result r = current();
        return new MemberState(self, l.bootServices(), l.healthy(), l.snapshots(), r.isActive(self), r.slotOf(self));
    }

    private void advertise() {
        MemberAdvert mine = new MemberAdvert(selfState(), http, local.get().load());
        adverts.put(self, mine);
        try {
            channel.broadcast(MessageKind.MEMBER_STATE, mine.encode());
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "cannot advertise this member's state: " + e.getMessage());
        }
    }

    /** One election round; runs on the timer thread only. */
    private void recompute() {
        if (channel.membership().isEmpty()) {
            return; // not connected yet: no view to elect in (a lone first member gets a view of one when it connects)
        }
        List<String> view = view();
        int largestView;
        try {
            largestView = quorumBase.observe(view.size());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot record the quorum base: " + e.getMessage());
            largestView = Math.max(quorumBase.size(), view.size());
        }
        adverts.put(self, new MemberAdvert(selfState(), http, local.get().load()));
        Instant now = clock.instant();
        for (Map.Entry<Integer, String> e : lastSlots.entrySet()) {
            if (!view.contains(e.getValue())) {
                absentSince.putIfAbsent(e.getKey(), Map.entry(e.getValue(), now));
            }
        }
        List<Election.AbsentHolder> absent = new ArrayList<>();
        absentSince.entrySet().removeIf(e -> view.contains(e.getValue().getKey()));
        absentSince.forEach((slot, who) -> absent.add(new Election.AbsentHolder(slot, who.getKey(),
                Duration.between(who.getValue(), now))));
        Map<String, MemberState> states = new HashMap<>();
        for (String m : view) {
            MemberAdvert a = adverts.get(m);
            if (a != null) {
                states.put(m, a.state());
            }
        }
        // A member in view whose advert has not arrived (it just joined, or the partition just healed) may hold a
        // role or a pool slot this member does not know of: electing now could make two holders of one slot, so
        // the last result stands until its advert arrives, or for at most `settle` (then it is elected without).
        // A member that just joined has no last result: it serves nothing until it has heard the others.
        if (states.size() < view.size()) {
            if (unsettledSince == null) {
                unsettledSince = now;
            }
            if (Duration.between(unsettledSince, now).compareTo(settle) < 0) {
                return;
            }
        } else {
            unsettledSince = null;
        }
        Election.Result next = Election.elect(view, states, k.getAsInt(), bootSnapshots.get(), largestView, absent,
                grace);
        boolean changed = !next.equals(result);
        result = next;
        if (changed) {
            Map<Integer, String> slots = new HashMap<>(lastSlots);
            slots.putAll(next.slots());
            lastSlots = Map.copyOf(slots);
            LOG.log(System.Logger.Level.INFO, "boot servers: {0}, pool slots {1}{2}", next.active(), next.slots(),
                    next.quorum() ? "" : " (no quorum: no pool addresses)");
            listener.changed(next, next.isActive(self));
            advertise();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

}
