package dev.meshboot.node.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.meshboot.bootstrap.artifacts.ArtifactStore;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.node.admin.AdminClient;
import dev.meshboot.node.admin.AdminException;
import dev.meshboot.node.agent.Agent;
import dev.meshboot.node.cluster.Member;
import dev.meshboot.node.cluster.Membership;
import dev.meshboot.node.mesh.Election;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The demo's three agents, started in this process from the {@link DemoSite}'s settings with the same
 * {@link Agent#start} a real agent runs, and watched: it tells the timeline of every view change, every agent that
 * starts or stops being an active boot server, and every snapshot an agent comes to hold.
 */
final class DemoMesh implements AutoCloseable {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration WATCH_EVERY = Duration.ofMillis(100);

    private final DemoSite site;
    private final Timeline timeline;
    private final AgentLogs logs;
    private final Clock clock;
    private final Map<String, Agent> running = new ConcurrentHashMap<>();
    private final Map<String, Boolean> serving = new ConcurrentHashMap<>();
    private final Set<String> shownViews = ConcurrentHashMap.newKeySet();
    private final Set<String> holding = ConcurrentHashMap.newKeySet();
    private final Map<String, Duration> crashedAt = new ConcurrentHashMap<>();
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "demo-watcher");
        t.setDaemon(true);
        return t;
    });
    private volatile Optional<String> snapshot = Optional.empty();
    private volatile boolean closing;
    private volatile Optional<String> takeOver = Optional.empty();

    DemoMesh(DemoSite site, Timeline timeline, AgentLogs logs, Clock clock) {
        this.site = site;
        this.timeline = timeline;
        this.logs = logs;
        this.clock = clock;
    }

    /** Starts every agent, the first (which seeds the documents) first, and starts watching them. */
    void start() throws Exception {
        for (DemoSite.AgentSite a : site.agents()) {
            Agent agent = logs.as(a.name(), () -> Agent.start(site.settings(a), clock));
            running.put(a.name(), agent);
            agent.channel().ifPresent(c -> c.onMembership(m -> viewChanged(a.name(), m)));
            timeline.event(a.name(), "started at " + a.address() + ": HTTP :" + a.http() + ", DHCP :" + a.dhcp()
                    + " and TFTP :" + a.tftp() + " when elected, cluster TCP :" + a.cluster());
        }
        watcher.scheduleWithFixedDelay(this::watch, 0, WATCH_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Publishes a snapshot the first agent holds, over its admin socket, exactly as {@code meshboot image publish
     * ID --channel stable} does: a catalog entry and the channel, replicated to every member, which then pulls the
     * snapshot from its peers.
     */
    void publish(String id) throws IOException {
        snapshot = Optional.of(id);
        DemoSite.AgentSite first = site.agents().getFirst();
        JsonNode r;
        try {
            r = new AdminClient(first.adminSocket()).call(JSON.createObjectNode().put("op", "publish").put("id", id)
                    .put("channel", DemoSite.CHANNEL));
        } catch (AdminException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (!r.path("ok").asBoolean()) {
            throw new IOException("publish refused: " + r);
        }
        timeline.event(first.name(), "published snapshot " + id.substring(0, 12) + "; channel " + DemoSite.CHANNEL
                + " points at it (meshboot image publish, over the admin socket)");
    }

    /** Whether every running agent holds the snapshot and its boot artifacts. */
    boolean everyAgentHolds(String id) {
        return running.keySet().stream().allMatch(holding::contains);
    }

    /** The running agents that are active boot servers now, in site order. */
    List<String> activeServers() {
        List<String> out = new ArrayList<>();
        for (DemoSite.AgentSite a : site.agents()) {
            Agent agent = running.get(a.name());
            if (agent != null && agent.isBootServer()) {
                out.add(a.name());
            }
        }
        return out;
    }

    /**
     * Kills an agent as a crash would ({@link Agent#crash}): its servers stop answering at once and its channel
     * goes silent without a goodbye, so the others find out by failure detection.
     */
    void crash(String name) {
        Agent a = running.remove(name);
        if (a == null) {
            return;
        }
        crashedAt.put(name, timeline.elapsed());
        serving.remove(name);
        timeline.event(name, "KILLED (crash: sockets closed, cluster channel silent, no goodbye)");
        Thread.ofPlatform().daemon().name("demo-crash-" + name).start(a::crash); // closing waits; the crash does not
    }

    /** Who took over after a crash, and how soon; empty until one has. */
    Optional<String> takeOver() {
        return takeOver;
    }

    Set<String> runningAgents() {
        return Set.copyOf(running.keySet());
    }

    /** Told by the agent logs: replication events, with the agent they happened on. */
    void logged(String agent, java.util.logging.LogRecord r) {
        if (!r.getLoggerName().endsWith(".SnapshotSync") || r.getMessage() == null || crashedAt.containsKey(agent)) {
            return;
        }
        Object[] p = r.getParameters();
        if (r.getMessage().startsWith("snapshot {0} replicated") && p != null && p.length >= 4) {
            timeline.event(agent, "fetched snapshot " + String.valueOf(p[0]).substring(0, 12) + " from its peers: "
                    + p[1] + " chunks in " + p[2] + " ms " + describeSources(p[3]) + ", each verified");
        } else if (r.getMessage().startsWith("boot artifacts of {0} replicated") && p != null && p.length >= 2) {
            timeline.event(agent, "fetched its boot artifacts from " + p[1]);
        }
    }

    private static String describeSources(Object fromPeer) {
        if (fromPeer instanceof Map<?, ?> m && !m.isEmpty()) {
            List<String> parts = new ArrayList<>();
            new java.util.TreeMap<>(m).forEach((k, v) -> parts.add(v + " from " + k));
            return "(" + String.join(", ", parts) + ")";
        }
        return "";
    }

    private void viewChanged(String who, Membership m) {
        if (crashedAt.containsKey(who) || closing) {
            return; // a crashed agent's last words, and the goodbyes of the final shutdown, are not news
        }
        String key = m.id() + " " + m.names();
        if (!shownViews.add(key)) {
            return;
        }
        Set<String> gone = new HashSet<>();
        m.previous().stream().map(Member::name).forEach(gone::add);
        gone.removeAll(m.names());
        StringBuilder what = new StringBuilder("cluster view " + m.names());
        for (String g : gone) {
            Duration at = crashedAt.get(g);
            what.append("; ").append(g).append(" excluded");
            if (at != null) {
                Duration after = timeline.elapsed().minus(at);
                what.append(String.format(" by failure detection, %.1f s after the crash", after.toMillis() / 1000.0));
            }
        }
        timeline.event(who, what.toString());
    }

    /** One watch round: role changes, and agents that have come to hold the published snapshot. */
    private void watch() {
        try {
            for (DemoSite.AgentSite a : site.agents()) {
                Agent agent = running.get(a.name());
                if (agent == null) {
                    continue;
                }
                boolean now = agent.isBootServer();
                Boolean before = serving.put(a.name(), now);
                if (before == null ? now : before != now) {
                    String active = agent.roles().map(Election.Result::active).map(Object::toString).orElse("?");
                    if (now && before != null && !crashedAt.isEmpty() && takeOver.isEmpty()) {
                        Map.Entry<String, Duration> c = crashedAt.entrySet().iterator().next();
                        takeOver = Optional.of(String.format("%s took over as an active boot server %.1f s after %s"
                                + " was killed", a.name(), timeline.elapsed().minus(c.getValue()).toMillis() / 1000.0,
                                c.getKey()));
                    }
                    timeline.event(a.name(), now ? "now an active boot server (election: " + active + ")"
                            : "stands by: no longer an active boot server (election: " + active + ")");
                }
                Optional<String> id = snapshot;
                if (id.isPresent() && !holding.contains(a.name()) && holds(a, id.get())) {
                    holding.add(a.name());
                    timeline.event(a.name(), "holds snapshot " + id.get().substring(0, 12)
                            + " and its boot artifacts, complete");
                }
            }
        } catch (RuntimeException e) {
            // a watch round must not end the watcher; the next one looks again
        }
    }

    private static boolean holds(DemoSite.AgentSite a, String id) {
        try {
            SnapshotStore s = SnapshotStore.open(a.store());
            return s.ids().contains(id) && new ArtifactStore(s.root()).of(id).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    /** The agents' HTTP base URLs, for {@code --keep-running}. */
    Map<String, String> urls() {
        Map<String, String> out = new LinkedHashMap<>();
        for (DemoSite.AgentSite a : site.agents()) {
            if (running.containsKey(a.name())) {
                out.put(a.name(), a.httpBase());
            }
        }
        return out;
    }

    @Override
    public void close() {
        closing = true;
        watcher.shutdownNow();
        List<Agent> agents = new ArrayList<>(running.values());
        running.clear();
        agents.parallelStream().forEach(Agent::close);
    }
}
