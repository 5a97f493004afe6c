package dev.meshboot.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshboot.clusterconfig.CanonicalDocument;
import dev.meshboot.clusterconfig.ConfigError;
import dev.meshboot.clusterconfig.store.ReplicatedStore;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.node.admin.AdminRequestException;
import dev.meshboot.node.admin.AdminService;
import dev.meshboot.node.cluster.StoreReplicator;
import dev.meshboot.node.mesh.BootRoles;
import dev.meshboot.node.mesh.Catalog;
import dev.meshboot.node.mesh.Election;
import dev.meshboot.node.mesh.HealthCheck;
import dev.meshboot.node.mesh.PendingSnapshots;
import dev.meshboot.node.mesh.SnapshotSync;
import dev.meshboot.node.mesh.StoreMaintenance;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The mesh's operations on the admin socket (docs/cluster.md, "The admin socket"): {@code publish} and
 * {@code withdraw} (the snapshot catalog), {@code mesh} (what {@code meshboot status} shows) and {@code quorum-base}.
 * Apart from the agent so that the agent wires parts and this class says what each operation checks and answers.
 */
final class MeshOperations {
    private final ReplicatedStore configStore;
    private final AdminService.DocumentWriter writer;
    private final Optional<StoreReplicator> replicator;
    private final SnapshotStore snapshots;
    private final Optional<BootRoles> roles;
    private final Optional<StoreMaintenance> maintenance;
    private final Supplier<HealthCheck.Health> health;
    private final BooleanSupplier bootServer;
    private final Duration retireAfter;

    MeshOperations(ReplicatedStore configStore, AdminService.DocumentWriter writer,
            Optional<StoreReplicator> replicator, SnapshotStore snapshots, Optional<BootRoles> roles,
            Optional<StoreMaintenance> maintenance, Supplier<HealthCheck.Health> health, BooleanSupplier bootServer,
            Duration retireAfter) {
        this.configStore = configStore;
        this.writer = writer;
        this.replicator = replicator;
        this.snapshots = snapshots;
        this.roles = roles;
        this.maintenance = maintenance;
        this.health = health;
        this.bootServer = bootServer;
        this.retireAfter = retireAfter;
    }

    void register(AdminService service) {
        service.register("publish", this::publish);
        service.register("withdraw", this::withdraw);
        service.register("mesh", r -> status());
        service.register("quorum-base", this::quorumBase);
        maintenance.ifPresent(m -> m.register(service));
    }

    /**
     * Puts a snapshot this agent holds into the replicated catalog, and optionally points a channel at it; every
     * member then pulls it ({@link SnapshotSync}). The channel document is checked like any other first.
     */
    private ObjectNode publish(JsonNode r) throws AdminRequestException, IOException {
        String channelName = r.path("channel").asText("");
        List<CanonicalDocument> docs;
        try {
            docs = Catalog.publication(snapshots, r.path("id").asText(""),
                    channelName.isEmpty() ? Optional.empty() : Optional.of(channelName));
        } catch (Catalog.PublishRefusedException e) {
            throw new AdminRequestException(e.getMessage());
        }
        List<ConfigError> errors = configStore.check(docs.stream().filter(d -> !d.kind().equals(Catalog.KIND)).toList());
        if (!errors.isEmpty()) {
            throw new AdminRequestException("channel " + channelName + ": " + errors);
        }
        writer.write(docs);
        ObjectNode o = AdminService.success();
        o.put("published", docs.getFirst().name());
        if (!channelName.isEmpty()) {
            o.put("channel", channelName);
        }
        return o;
    }

    /** Takes a snapshot out of the catalog; members remove it after {@code retireAfter} (SnapshotRetirement). */
    private ObjectNode withdraw(JsonNode r) throws AdminRequestException, IOException {
        if (replicator.isEmpty()) {
            throw new AdminRequestException("not a cluster member: there is no catalog");
        }
        String id = r.path("id").asText("");
        try {
            replicator.get().delete(Catalog.withdrawal(configStore.documents(), id));
        } catch (Catalog.WithdrawRefusedException e) {
            throw new AdminRequestException(e.getMessage());
        }
        return AdminService.success().put("withdrawn", id).put("graceSeconds", retireAfter.toSeconds());
    }

    private ObjectNode quorumBase(JsonNode r) throws AdminRequestException, IOException {
        int n = r.path("members").asInt(0);
        if (roles.isEmpty() || n < 1) {
            throw new AdminRequestException(roles.isEmpty() ? "not a cluster member"
                    : "members: a positive count of the members the cluster now has");
        }
        roles.get().lowerQuorumBase(n);
        return status();
    }

    /** The mesh as this member sees it: roles, members with what they hold, health, the catalog and its progress. */
    ObjectNode status() throws IOException {
        ObjectNode o = AdminService.success();
        o.put("member", configStore.member());
        o.put("bootServer", bootServer.getAsBoolean());
        HealthCheck.Health h = health.get();
        o.put("healthy", h.healthy());
        o.putPOJO("problems", h.problems());
        roles.ifPresent(r -> {
            Election.Result e = r.current();
            o.putPOJO("active", e.active());
            ObjectNode slots = o.putObject("slots");
            e.slots().forEach((k, v) -> slots.put(Integer.toString(k), v));
            o.put("quorum", e.quorum());
            o.put("quorumBase", r.quorumBase());
            ObjectNode members = o.putObject("members");
            Map<String, Set<String>> held = r.snapshotsOfMembersInView();
            r.httpOfMembersInView().forEach((m, http) -> members.putObject(m).put("http", http)
                    .put("active", e.isActive(m)).putPOJO("snapshots", new TreeSet<>(held.getOrDefault(m, Set.of()))));
        });
        List<SnapshotSync.Entry> catalog = Catalog.entries(configStore.documents());
        List<String> ids = snapshots.ids();
        o.putPOJO("catalog", catalog.stream().map(SnapshotSync.Entry::id).toList());
        o.putPOJO("held", ids);
        // Replication progress: for each snapshot being pulled, the chunks held of those it needs.
        ObjectNode progress = o.putObject("replicating");
        PendingSnapshots pending = new PendingSnapshots(snapshots);
        for (SnapshotSync.Entry e : catalog) {
            Optional<String> bits = pending.held(e.id());
            if (bits.isPresent() && !ids.contains(e.id())) {
                String b = bits.get();
                progress.putObject(e.id()).put("chunks", b.length()).put("held", b.chars().filter(c -> c == '1').count());
            }
        }
        maintenance.ifPresent(m -> o.set("scrub", m.status()));
        return o;
    }
}
