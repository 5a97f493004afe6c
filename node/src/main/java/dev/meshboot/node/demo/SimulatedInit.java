package dev.meshboot.node.demo;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshboot.images.SnapshotException;
import dev.meshboot.images.manifest.ArchiveManifest;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.manifest.ManifestCodec;
import dev.meshboot.images.manifest.SnapshotManifest;
import dev.meshboot.images.store.ChunkStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the meshboot {@code /init} does over the network (docs/boot-flow.md, "Fetching and verifying"), for one
 * simulated machine: the manifest, checked against the snapshot id from the command line; every chunk of the
 * archives it unpacks, each decompressed and checked against its id with the same {@link ChunkStore#verify} the
 * real store uses; the node's config archive; and the boot report ({@code booted.json}) posted to every listed
 * server. Fetches fail over along {@code meshboot.servers} ({@link FailoverServers}). Nothing is unpacked: the
 * chunks are checked and dropped, which is all the network sees of an unpack.
 */
final class SimulatedInit {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What the boot took from where. */
    record Result(String manifestFrom, Map<String, Integer> chunksFrom, long bytes, int chunks, String configFrom,
            int reportsTaken, List<String> failovers) {}

    /** A boot attempt {@code /init} gives up on (real {@code /init} waits and starts over). */
    static final class InitException extends IOException {
        private static final long serialVersionUID = 1L;

        InitException(String message) {
            super(message);
        }
    }

    private interface Check {
        void check(byte[] bytes, String server) throws SnapshotException;
    }

    private record Fetched(String server, byte[] bytes) {}

    private final String node;
    private final MachineHttp http;
    private final FailoverServers servers;
    private final java.util.function.Function<String, String> nameOf;
    private final Consumer<String> say;
    private final List<String> failovers = new ArrayList<>();

    /**
     * @param nameOf the name to print for a server ({@code host:port} to agent name)
     * @param say prints a line on the machine's console (the timeline)
     */
    SimulatedInit(String node, MachineHttp http, FailoverServers servers,
            java.util.function.Function<String, String> nameOf, Consumer<String> say) {
        this.node = node;
        this.http = http;
        this.servers = servers;
        this.nameOf = nameOf;
        this.say = say;
    }

    Result run(String snapshot, boolean extras) throws InitException, InterruptedException {
        if (!snapshot.matches("[0-9a-f]{64}")) {
            throw new InitException("meshboot.snapshot=" + snapshot + " is not a snapshot id");
        }
        Fetched m = fetch("the manifest", "/snapshots/" + snapshot + "/manifest.json", (b, s) -> {
            String actual = ChunkStore.idOf(b);
            if (!actual.equals(snapshot)) {
                throw new dev.meshboot.images.ManifestFormatException("the manifest hashes to " + actual
                        + ", not the snapshot id");
            }
        });
        SnapshotManifest manifest;
        try {
            manifest = new ManifestCodec().read(m.bytes());
        } catch (SnapshotException e) {
            throw new InitException("manifest from " + nameOf.apply(m.server()) + ": " + e.getMessage());
        }
        Map<String, Integer> chunksFrom = new LinkedHashMap<>();
        java.util.Set<String> coreServers = new java.util.LinkedHashSet<>();
        long bytes = 0;
        int chunks = 0;
        for (ArchiveManifest a : manifest.archives()) {
            if (!a.name().equals("core") && !(extras && a.name().equals("extras"))) {
                continue;
            }
            for (ChunkRef ref : a.chunks()) {
                Fetched c = fetch("chunk " + ref.id().substring(0, 8), "/chunks/" + ref.id(),
                        (b, s) -> ChunkStore.verify(ref, b, "chunk from " + nameOf.apply(s)));
                chunksFrom.merge(nameOf.apply(c.server()), 1, Integer::sum);
                coreServers.add(c.server());
                bytes += ref.size();
                chunks++;
            }
        }
        Fetched config = fetch("the config archive", "/nodes/" + node + "/config.tar", (b, s) -> { });
        int taken = report(snapshot, m.server(), coreServers, config.server());
        return new Result(nameOf.apply(m.server()), chunksFrom, bytes, chunks, nameOf.apply(config.server()), taken,
                List.copyOf(failovers));
    }

    /** Fetches from the current server, moving on along the list on failure, avoiding a server that lies. */
    private Fetched fetch(String what, String path, Check check) throws InitException, InterruptedException {
        for (int attempt = 0; attempt < servers.size(); attempt++) {
            String s = servers.current().orElseThrow(() -> new InitException("every server served wrong bytes"));
            try {
                byte[] b = http.get("http://" + s + path);
                check.check(b, s);
                return new Fetched(s, b);
            } catch (MachineHttp.FetchException e) {
                servers.failed(s);
                note(what, s, e.getMessage());
            } catch (SnapshotException e) {
                servers.avoid(s);
                note(what, s, "refused: " + e.getMessage());
            }
        }
        throw new InitException("no server could serve " + what);
    }

    private void note(String what, String server, String why) {
        String next = servers.current().map(nameOf).orElse("none left");
        failovers.add(what + " from " + nameOf.apply(server) + ": " + why);
        say.accept("/init: " + what + " from " + nameOf.apply(server) + " failed (" + why + "); fails over to "
                + next);
    }

    /** Posts booted.json (docs/boot-flow.md) to every listed server; returns how many recorded it. */
    private int report(String snapshot, String manifestFrom, java.util.Set<String> coreFrom, String configFrom)
            throws InterruptedException {
        ObjectNode r = JSON.createObjectNode().put("format", "meshboot-booted/1").put("node", node)
                .put("snapshot", snapshot).put("mode", "ram").put("reinstall", 0).put("interface", "eth0");
        ObjectNode s = r.putObject("servers");
        s.put("manifest", manifestFrom);
        s.put("core", String.join(",", coreFrom));
        s.put("config", configFrom);
        failovers.forEach(f -> r.withArray("failovers").add(f));
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(r);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int taken = 0;
        for (String server : servers.all()) {
            try {
                http.post("http://" + server + "/nodes/" + node + "/booted", body);
                taken++;
            } catch (MachineHttp.FetchException e) {
                // a server that is down misses this report; the others have it
            }
        }
        return taken;
    }
}
