package dev.meshboot.node.mesh;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.node.admin.AdminService;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A member's care of its own store: a scrub pass ({@link ChunkScrubber}) then a garbage collection
 * ({@link ChunkCollector}) every interval, the repair of a chunk the HTTP server found damaged as soon as it is
 * reported, and both on demand through the admin socket ({@code scrub}, {@code gc}). It keeps the last results and
 * the totals since the agent started, for {@code meshboot status}.
 */
public final class StoreMaintenance implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(StoreMaintenance.class.getName());
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ChunkScrubber scrubber;
    private final ChunkCollector collector;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "store-maintenance");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService repairs = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "chunk-repair");
        t.setDaemon(true);
        return t;
    });
    private volatile Optional<ChunkScrubber.Report> lastScrub = Optional.empty();
    private volatile Optional<ChunkCollector.Result> lastCollection = Optional.empty();
    private final Totals totals = new Totals();

    public StoreMaintenance(ChunkScrubber scrubber, ChunkCollector collector) {
        this.scrubber = scrubber;
        this.collector = collector;
    }

    /**
     * A member's maintenance of {@code store}: repairs from {@code peers} (the members in view and their HTTP base
     * URLs, this member excluded), reads paced at {@code bytesPerSecond}.
     */
    public static StoreMaintenance of(SnapshotStore store, long bytesPerSecond, Duration gcMinAge,
            Supplier<Map<String, String>> peers, Clock clock) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        RateLimiter pace = new RateLimiter(bytesPerSecond, System::nanoTime,
                n -> Thread.sleep(n / 1_000_000, (int) (n % 1_000_000)));
        return new StoreMaintenance(new ChunkScrubber(store, new PeerChunkSource(http, peers), pace, clock),
                new ChunkCollector(store, gcMinAge, clock));
    }

    /**
     * Runs a scrub and a collection {@code first} after now, then every {@code every}. The first pass does not wait a
     * whole interval, so an agent restarted more often than that still scrubs.
     */
    public void start(Duration first, Duration every) {
        timer.scheduleWithFixedDelay(this::pass, first.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Adds {@code scrub} and {@code gc} to the admin socket's operations. */
    public void register(AdminService admin) {
        admin.register("scrub", r -> {
            try {
                return AdminService.success().setAll(scrubJson(scrubNow()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        });
        admin.register("gc", r -> AdminService.success().setAll(collectionJson(collectNow())));
    }

    /** Asks for a damaged chunk to be fetched again from a peer, soon and off the caller's thread. */
    public void repairSoon(String id) {
        repairs.execute(() -> {
            try {
                boolean ok = scrubber.repair(id);
                totals.servedCorrupt(ok);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "repair of chunk " + id + " failed: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    public ChunkScrubber.Report scrubNow() throws IOException, InterruptedException {
        ChunkScrubber.Report r = scrubber.scrub();
        lastScrub = Optional.of(r);
        totals.add(r);
        return r;
    }

    public ChunkCollector.Result collectNow() throws IOException {
        ChunkCollector.Result r = collector.collect();
        lastCollection = Optional.of(r);
        return r;
    }

    private void pass() {
        try {
            scrubNow();
            collectNow();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "store maintenance: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last scrub and collection and the totals since start, for the mesh status. */
    public ObjectNode status() {
        ObjectNode o = JSON.createObjectNode();
        lastScrub.ifPresent(r -> o.set("lastScrub", scrubJson(r)));
        lastCollection.ifPresent(r -> o.set("lastGc", collectionJson(r)));
        totals.into(o.putObject("totals"));
        return o;
    }

    static ObjectNode scrubJson(ChunkScrubber.Report r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("started", r.started().toString()).put("finished", r.finished().toString())
                .put("snapshots", r.snapshots()).put("checked", r.checked()).put("bytes", r.bytes())
                .put("corrupt", r.corrupt()).put("missing", r.missing()).put("repaired", r.repaired())
                .put("unrepairable", r.unrepairable());
        r.unrepairableChunks().forEach(o.putArray("unrepairableChunks")::add);
        r.avoided().forEach(o.putArray("avoided")::add);
        r.unreadable().forEach(o.putArray("unreadableManifests")::add);
        return o;
    }

    static ObjectNode collectionJson(ChunkCollector.Result r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("at", r.at().toString()).put("stored", r.stored()).put("referenced", r.referenced())
                .put("deleted", r.deleted()).put("freedBytes", r.freedBytes()).put("young", r.young());
        r.skipped().ifPresent(s -> o.put("skipped", s));
        return o;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        repairs.shutdownNow();
    }

    /** Counts since the agent started: every pass's, and the chunks the HTTP server found damaged. */
    private static final class Totals {
        private long passes;
        private long checked;
        private long corrupt;
        private long missing;
        private long repaired;
        private long unrepairable;
        private long servedCorrupt;
        private long servedRepaired;

        synchronized void add(ChunkScrubber.Report r) {
            passes++;
            checked += r.checked();
            corrupt += r.corrupt();
            missing += r.missing();
            repaired += r.repaired();
            unrepairable += r.unrepairable();
        }

        synchronized void servedCorrupt(boolean repairedNow) {
            servedCorrupt++;
            servedRepaired += repairedNow ? 1 : 0;
        }

        synchronized void into(ObjectNode o) {
            o.put("passes", passes).put("checked", checked).put("corrupt", corrupt).put("missing", missing)
                    .put("repaired", repaired).put("unrepairable", unrepairable)
                    .put("foundWhileServing", servedCorrupt).put("repairedAfterServing", servedRepaired);
        }
    }
}
